/**
 * The words feature version 2 keeps as themselves; every other word becomes one placeholder.
 *
 * Whether a message asks, answers or comments shows in how it is said — pronouns, auxiliaries,
 * wh-words, negation, "yes"/"no", interjections, punctuation — not in what it is about. Trained
 * on generated Discord chat, a model that sees topic words learns that "cert" or "df" mark a
 * question or an answer, which says nothing about a message on another topic. So the list is
 * English closed-class words, chat interjections and abbreviations, and a few verbs that name
 * speech acts ("ask", "wonder", "agree"). It comes from grammar and chat habits, not from any
 * dataset; changing it changes the features, so it belongs to feature version 2 as it stands.
 * @module
 */

const WORDS = `
a an the this that these those there here it its it's itself i i'm im i've ive i'd id i'll ill me my mine
myself you you're youre you've youve you'd you'll youll your yours yourself u ur ure ya y'all yall he
he's hes him his himself she she's shes her hers herself we we're we've weve us our ours they they're
theyre they've theyve them their theirs one ones someone somebody something anyone anybody anything
everyone everybody everything noone nobody nothing some any every each all both either neither none no
not nor or and but so because cause cuz bc if then than else when whenever where wherever why how what
whats what's who whos who's whom whose which while until unless though although since as like just only
also too very really pretty quite rather still yet already even ever never always often sometimes usually
again once soon now later today tonight tomorrow yesterday about above across after against along among
around at before behind below beneath beside between beyond by down during except for from in inside
into near of off on onto out outside over past through throughout to toward towards under up upon with
within without is am are was were be been being do does did doing done don't dont doesn't doesnt didn't
didnt have has had having haven't havent hasn't hasnt hadn't can can't cant cannot could couldn't
couldnt will won't wont would wouldn't wouldnt shall should shouldn't shouldnt may might must need needs
gonna wanna gotta lemme let let's lets get got getting go going goes went gone know knows knew think
thinks thought see saw say said tell told want wants mean means make made take took come came give gave
try tried look looks feel feels seem seems keep use used work works isn't isnt aren't arent wasn't
wasnt weren't werent ain't aint that's thats there's theres here's heres
yes yeah yea yep yup ye ok okay k kk oki okie sure nope nah nay naw maybe probably definitely def totally
exactly right true false correct well oh ah uh um hmm hm huh eh mhm uhhuh wow whoa oops
lol lmao lmfao rofl haha hahaha hehe heh xd omg omfg wtf wth idk idc ikr imo imho tbh btw fyi brb bbl
gtg g2g ttyl nvm np ty thx thanks thank pls plz please sorry sry welcome hi hello hey hiya yo sup wb bye
cya night nite gn gm morning good bad great nice cool awesome fine same much many more most less least
few little lot lots bit kinda sorta kind sort way thing things stuff guys guy man dude bro girl else
ask asking asked question questions answer wonder wondering wondered agree disagree recommend suggest
advice help anybody congrats
`;

/** Function words, plus each with its last letter doubled ("yess", "soo", "heyy"): the normaliser
 * caps letter runs at two, so that is how an elongated word reaches the featurizer. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  WORDS.trim().split(/\s+/).flatMap((w) => [w, w + w.at(-1)]),
);
