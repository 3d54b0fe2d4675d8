/**
 * The conversation library of the built-in generator: short help threads written for this server
 * (a question, the answers that fit it, the clarifying questions it draws), plus the side talk,
 * backchannel and follow-ups around them. Lines use the template syntax of `_language.ts`
 * (`{a|b}` picks one, `{a|}` is optional); the author's typing style is applied afterwards, so
 * lines carry no final "?" and no deliberate typos. Private to `generate/`.
 *
 * Why scripts rather than word templates: an answer must fit its question ("is there a way to
 * remove duplicates" → "select distinct, or row_number() if you need to keep one"), which slot
 * fillers chosen independently cannot guarantee.
 * @module
 */

import type { Channel } from "./channels.ts";

/** How a question is asked; yes/no questions may draw a bare "yeah" / "nope" as their answer. */
export type AskKind = "yesno" | "wh" | "request" | "declarative";

/** A help thread: what is asked and what fits as a reply. */
export interface Topic {
  /** Channels the question comes up in. */
  channels: readonly Channel[];
  kind: AskKind;
  /** Ways of asking. */
  ask: readonly string[];
  /** Answers of any shape (pointers, code, explanations, links, facts). */
  answers: readonly string[];
  /** yes/no questions: what follows (or replaces) a "yeah" … */
  yes?: readonly string[];
  /** … and a "nope". */
  no?: readonly string[];
  /** A clarifying question a helper may ask back, with the asker's possible replies. */
  clarify?: readonly (readonly [string, readonly string[]])[];
  /** Whether a "still getting the error" follow-up makes sense. */
  fixable?: boolean;
}

const SQL: readonly Channel[] = ["sql-help"];
const PY: readonly Channel[] = ["python-help"];
const JOBS: readonly Channel[] = ["job-search-support", "general"];
const RES: readonly Channel[] = ["resources", "general"];
const CONTENT: readonly Channel[] = ["content-creation"];
const PROJECT: readonly Channel[] = ["share-your-project"];
const SERVER: readonly Channel[] = ["general"];

/** The help threads. */
export const TOPICS: readonly Topic[] = [
  // --- SQL ------------------------------------------------------------------------------------
  {
    channels: SQL,
    kind: "yesno",
    ask: [
      "is there a way to remove duplicates {but keep one row|and keep the latest one|}",
      "can i delete duplicate rows {in postgres|in mysql|} {without a temp table|}",
    ],
    answers: [
      "use row_number() over (partition by the dup columns order by id) and keep rn = 1",
      "`delete from t where id not in (select min(id) from t group by email)`",
      "select distinct if you just need them gone in the output",
    ],
    yes: [
      "row_number in a cte then delete where rn > 1",
      "group by the columns and keep min(id)",
    ],
    clarify: [["{which db|what database} {is it|are you on}", [
      "postgres",
      "mysql",
      "{it's |}bigquery",
    ]], [
      "do you need to actually delete them or just not show them",
      ["just in the output", "actually delete, table is a mess"],
    ]],
    fixable: true,
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "why does my left join return more rows than the left table",
      "my left join {is duplicating|duplicates} rows, {what am i doing wrong|why}",
      "need help with a left join that duplicates rows",
      "left join giving me {way|} more rows than {expected|i started with}",
    ],
    answers: [
      "the right table has several rows per key, so each left row repeats. dedupe it first",
      "check `select key, count(*) from right_table group by key having count(*) > 1`",
      "your join key isn't unique on the right side",
      "many-to-one turned into many-to-many, aggregate the right table before joining",
      "a left join keeps every row on the left, but when the right table has two rows with the same key you get both of them back, so the count goes up. dedupe or aggregate the right side first and it'll match",
    ],
    clarify: [["is the key unique in the second table", [
      "{oh|hmm} no {it's not|its not}",
      "i think so?",
    ]]],
    fixable: true,
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "what's the difference between rank and dense_rank",
      "rank vs dense_rank vs row_number, when do i use which",
    ],
    answers: [
      "rank leaves gaps after ties (1,1,3), dense_rank doesn't (1,1,2)",
      "row_number is always unique, rank gives ties the same number and skips, dense_rank doesn't skip",
      "ties. rank skips numbers after a tie, dense_rank keeps counting",
    ],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "how do i pivot rows to columns in {postgres|sql}",
      "anyone know how to pivot in sql",
      "how would you turn months into columns in a query",
    ],
    answers: [
      "sum(case when month = 'jan' then amount end) as jan, one per column",
      "postgres has crosstab in the tablefunc extension",
      "conditional aggregation: `max(case when k = 'a' then v end)`",
      "honestly easier to pivot in excel or pandas after",
      "https://www.postgresql.org/docs/current/tablefunc.html crosstab is in there",
    ],
    clarify: [["do you know the columns ahead of time", ["yeah just 12 months", "no they change"]]],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "getting 'column must appear in the group by clause' what does that mean",
      "what does 'must appear in the group by clause or be used in an aggregate' mean",
    ],
    answers: [
      "every column in select has to be in the group by or inside sum/count/max",
      "you selected a column you didn't group by. add it to group by or wrap it in max()",
      "postgres wants each selected column grouped or aggregated",
    ],
    fixable: true,
  },
  {
    channels: SQL,
    kind: "request",
    ask: [
      "can someone explain window functions like i'm five",
      "need help understanding window functions",
      "pls explain over (partition by ...) i'm lost",
    ],
    answers: [
      "it's a group by that doesn't collapse the rows, every row keeps its own line plus the group result",
      "partition by = which rows count as a group, order by = the order inside it",
      "think of it like this: sum(x) over (partition by customer) gives every order row the total of that customer, without collapsing anything. add an order by inside and it becomes a running total",
      "try https://mode.com/sql-tutorial/sql-window-functions it clicked for me there",
    ],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "my where clause ignores the null rows, why",
      "why does `where status != 'done'` skip nulls",
    ],
    answers: [
      "null compared to anything is unknown, not true. add `or status is null`",
      "use `coalesce(status, '') != 'done'`",
      "`is distinct from` handles nulls in postgres",
    ],
    fixable: true,
  },
  {
    channels: SQL,
    kind: "yesno",
    ask: ["is a cte faster than a subquery", "does a cte run faster than a subquery"],
    answers: [
      "same speed in most engines, cte is just easier to read",
      "depends on the db, postgres 12+ inlines ctes so no difference",
    ],
    yes: ["sometimes, if it gets materialized once and reused"],
    no: ["not really, the planner treats them about the same", "not in postgres 12+"],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "how do i get month from a date in bigquery",
      "how do you truncate a timestamp to month",
    ],
    answers: [
      "`date_trunc(created_at, month)` in bigquery",
      "`date_trunc('month', created_at)` in postgres, args are the other way round in bigquery",
      "`extract(month from created_at)` if you only want the number",
    ],
    clarify: [["postgres or bigquery", ["bigquery", "postgres"]]],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: ["my query takes forever, where do i start", "how do i speed up a slow query"],
    answers: [
      "run explain analyze and look for seq scans on the big table",
      "index the columns you join and filter on",
      "select only the columns you need and filter before the join",
    ],
    clarify: [["how big is the table", ["like 40m rows", "only 200k"]], [
      "can you paste the query",
      ["`select * from orders o join customers c on c.id = o.customer_id where o.created_at > '2024-01-01'`"],
    ]],
  },
  {
    channels: SQL,
    kind: "declarative",
    ask: [
      "i can't get mysql to install on my mac",
      "mysql installer keeps failing on m1",
    ],
    answers: [
      "`brew install mysql` worked way better than the installer for me",
      "use docker, `docker run -e MYSQL_ROOT_PASSWORD=pw -p 3306:3306 mysql`",
      "try postgres.app instead if you just need to practice",
    ],
    clarify: [["what error do you get", ["it just says installation failed", "permission denied"]]],
    fixable: true,
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "what's the best way to practice sql for interviews",
      "where do you practice sql",
    ],
    answers: [
      "datalemur and stratascratch, both have real interview questions",
      "https://sqlbolt.com for basics then leetcode database problems",
      "grab a kaggle dataset, load it into postgres and answer your own questions",
      "https://datalemur.com is the closest to real interview questions",
    ],
  },
  {
    channels: SQL,
    kind: "yesno",
    ask: ["can i join on two columns", "is it possible to join on more than one key"],
    answers: ["`on a.id = b.id and a.date = b.date`"],
    yes: [
      "just `and` them in the on clause",
      "`join b on a.id = b.id and a.dt = b.dt`",
      "put both conditions in the on",
    ],
  },
  {
    channels: SQL,
    kind: "yesno",
    ask: ["does count(*) count nulls", "does count(*) include null rows"],
    answers: ["count(*) counts rows, count(col) skips nulls in col"],
    yes: ["count(*) does, count(col) doesn't"],
    no: ["count(col) doesn't, count(*) counts every row"],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: ["how do i get the second highest salary", "how to find the 2nd largest value"],
    answers: [
      "`select max(salary) from emp where salary < (select max(salary) from emp)`",
      "dense_rank() over (order by salary desc) and filter = 2",
      "order by salary desc limit 1 offset 1, but careful with ties",
    ],
  },
  // --- Python -----------------------------------------------------------------------------------
  {
    channels: PY,
    kind: "wh",
    ask: [
      "why is my merge creating a bunch of NaN columns",
      "pandas merge gives me NaNs everywhere {what gives|}",
    ],
    answers: [
      "the keys don't match, check dtypes, one is probably int and the other str",
      "try `how='inner'` to see what actually matches",
      "https://pandas.pydata.org/docs/reference/api/pandas.merge.html check the indicator param, it shows which side matched",
      "strip whitespace on the key first, `df['id'].str.strip()`",
    ],
    clarify: [["what are the dtypes of the key columns", [
      "one is object one is int64",
      "both int",
    ]]],
    fixable: true,
  },
  {
    channels: PY,
    kind: "wh",
    ask: [
      "how do i get rid of SettingWithCopyWarning",
      "what does SettingWithCopyWarning even mean",
    ],
    answers: [
      "use `.loc[rows, 'col'] = value` instead of chained indexing",
      "add `.copy()` when you make the subset",
      "https://pandas.pydata.org/docs/user_guide/indexing.html explains the view vs copy thing",
      "you're writing to a slice of another frame, pandas can't tell if it's a view",
    ],
    fixable: true,
  },
  {
    channels: PY,
    kind: "declarative",
    ask: [
      "pip install keeps failing in my venv",
      "cant pip install pandas, says permission denied",
    ],
    answers: [
      "activate the venv first, `source .venv/bin/activate`",
      "use `python -m pip install pandas` so it's the right pip",
      "upgrade pip first, `python -m pip install -U pip`",
    ],
    clarify: [["are you on windows or mac", ["windows", "mac"]], [
      "is the venv activated",
      ["i think so", "oh. no lol"],
    ]],
    fixable: true,
  },
  {
    channels: PY,
    kind: "wh",
    ask: [
      "how do i read a 5gb csv without running out of memory",
      "looking for a way to read a 5gb csv without running out of memory",
      "pandas crashes reading a huge csv, what do i do",
    ],
    answers: [
      "`pd.read_csv(path, chunksize=100_000)` and process in chunks",
      "only load the columns you need with usecols, and set dtypes",
      "try polars or duckdb, they handle that size fine",
    ],
    clarify: [["how much ram do you have", ["8gb", "16"]]],
  },
  {
    channels: PY,
    kind: "wh",
    ask: ["why isn't my plot showing", "matplotlib plot doesn't show up when i run the script"],
    answers: [
      "add `plt.show()` at the end",
      "in a script you need plt.show(), notebooks do it for you",
      "check your backend, `matplotlib.get_backend()`",
    ],
    fixable: true,
  },
  {
    channels: PY,
    kind: "wh",
    ask: [
      "getting a KeyError after groupby",
      "why do i get KeyError 'date' after a groupby",
    ],
    answers: [
      "the group key became the index, call `.reset_index()`",
      "use `as_index=False` in the groupby",
      "it's in the index now, not a column",
    ],
    fixable: true,
  },
  {
    channels: PY,
    kind: "wh",
    ask: ["how do i convert a string column to datetime", "how to parse dates in pandas"],
    answers: [
      "`pd.to_datetime(df['date'], format='%Y-%m-%d')`",
      "`pd.to_datetime` with `errors='coerce'` so bad rows become NaT",
      "pass `parse_dates=['date']` to read_csv",
    ],
  },
  {
    channels: PY,
    kind: "declarative",
    ask: ["my jupyter kernel keeps dying", "kernel dies every time i load the data"],
    answers: [
      "probably out of memory, check with htop while it loads",
      "load a sample first, `nrows=10000`",
      "restart and run cells in order, something is holding a huge frame",
    ],
    clarify: [["how big is the file", ["2gb", "around 800mb"]]],
    fixable: true,
  },
  {
    channels: PY,
    kind: "wh",
    ask: ["how do i make apply faster", "df.apply is super slow, any way around it"],
    answers: [
      "vectorise it, most apply calls can be column math or np.where",
      "`np.select` for multiple conditions is way faster",
      "if it's string stuff use the .str methods",
    ],
  },
  {
    channels: PY,
    kind: "yesno",
    ask: [
      "is list comprehension faster than a for loop",
      "are list comprehensions actually faster",
    ],
    answers: ["a bit, but readability matters more at that point"],
    yes: ["usually a bit faster, less overhead per item", "slightly"],
    no: ["not enough to matter for most stuff"],
  },
  {
    channels: PY,
    kind: "yesno",
    ask: ["should i learn polars instead of pandas", "is polars worth learning {yet|now}"],
    answers: ["learn pandas first, every job posting asks for it, polars later"],
    yes: ["it's way faster and the api is cleaner", "if you work with big data yes"],
    no: ["not as a beginner, pandas is what jobs use", "pandas first"],
  },
  {
    channels: PY,
    kind: "wh",
    ask: [
      "how do i count values per category",
      "whats the pandas version of count group by",
    ],
    answers: [
      "`df['category'].value_counts()`",
      "`df.groupby('category').size()`",
      "value_counts, add normalize=True for shares",
    ],
  },
  {
    channels: PY,
    kind: "wh",
    ask: ["which python version should i install", "what python version do people use now"],
    answers: [
      "3.11 or 3.12, most packages support both",
      "anything 3.10+, just not 2.7 lol",
      "latest from https://www.python.org/downloads is fine",
    ],
  },
  // --- Jobs -----------------------------------------------------------------------------------
  {
    channels: JOBS,
    kind: "request",
    ask: [
      "can someone look at my resume",
      "could anyone review my resume before i send it out",
      "would love feedback on my resume, applying for analyst roles",
    ],
    answers: [
      "sure dm me",
      "post it in #resume-review, people are quick there",
      "happy to, send it over",
      "lead every bullet with a number, what changed because of you",
    ],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: [
      "do i need a degree to get a data analyst job",
      "is a degree required for analyst jobs",
    ],
    answers: [
      "not always, a solid portfolio got me in",
      "depends on the company, smaller ones care less",
    ],
    yes: ["for most big companies still yes sadly", "helps a lot with the ats filters"],
    no: ["i don't have one, got hired off my projects", "not at startups"],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: [
      "is the google data analytics cert worth it",
      "worth doing the google cert {or nah|}",
      "wondering if the google cert is worth it",
    ],
    answers: [
      "good for structure, but it won't get you hired alone",
      "do it for the basics then build projects, that's what interviews ask about",
    ],
    yes: ["for a total beginner yes", "it's cheap and covers the basics"],
    no: ["not on its own", "recruiters don't really look at it"],
  },
  {
    channels: JOBS,
    kind: "wh",
    ask: [
      "how do you answer 'tell me about a project' in interviews",
      "trying to figure out how to answer the tell me about a project question",
      "what do they want to hear when they ask about a project",
    ],
    answers: [
      "star: the problem, what you did, the result with a number",
      "pick one project and know every decision in it, they'll dig",
      "start with the business question, not the tools",
      "i always say what the problem was, who cared about it, what i built, and one number that changed. then i mention one thing that went wrong and what i'd do differently, interviewers love that part",
    ],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: [
      "should i negotiate my first offer",
      "is it ok to negotiate an entry level offer",
    ],
    answers: ["always ask, worst case they say no"],
    yes: ["always", "yes, politely, with a number", "yep i got 5k more just by asking"],
    no: ["if it's already above market maybe not"],
  },
  {
    channels: JOBS,
    kind: "wh",
    ask: [
      "how long do companies usually take to reply after a final round",
      "how long should i wait before following up after the final interview",
    ],
    answers: [
      "a week is normal, follow up after that",
      "one to two weeks, send a short email after 5 business days",
      "mine took 3 weeks and it was an offer, don't panic",
    ],
  },
  {
    channels: JOBS,
    kind: "wh",
    ask: [
      "what should i put in a linkedin message to a hiring manager",
      "how do you cold message people on linkedin without being weird",
    ],
    answers: [
      "keep it to 3 lines: who you are, why them, one specific ask",
      "comment on their posts for a while first, then message",
      "this template worked for me https://docs.google.com/document/d/1xQ4 just change the details",
      "ask for 15 minutes of advice, not a job",
    ],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: [
      "should i apply if i only meet half the requirements",
      "do i apply even if i don't have all the skills listed",
    ],
    answers: ["apply anyway, those lists are wish lists"],
    yes: ["yes, 60% is enough", "always apply", "yep, nobody meets all of them"],
    no: ["if it's a senior role probably not"],
  },
  {
    channels: JOBS,
    kind: "wh",
    ask: [
      "what salary should i ask for as a junior analyst",
      "what's a normal salary for entry level data analyst",
    ],
    answers: [
      "check levels.fyi and glassdoor for your city",
      "depends a lot on the city, 60-75k is common in the us",
      "ask them for their range first",
      "https://www.levels.fyi has real numbers for analyst roles",
    ],
    clarify: [["which city", ["chicago", "remote", "london"]]],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: [
      "is a masters worth it for data science",
      "should i get a masters before applying",
      "wondering if a masters is worth it",
    ],
    answers: ["only if the job you want asks for it, projects matter more for analyst roles"],
    yes: ["for ds roles it helps a lot", "if your employer pays for it"],
    no: ["not for analyst jobs", "not worth the debt imo"],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: [
      "do take home assignments usually have a time limit",
      "is 48h normal for a take home",
    ],
    answers: ["usually 2-3 days, they say to spend about 4 hours on it"],
    yes: ["yeah 48h is pretty standard", "most do"],
    no: ["not always, mine said a week"],
  },
  // --- Resources --------------------------------------------------------------------------------
  {
    channels: RES,
    kind: "request",
    ask: [
      "any good book for stats for beginners",
      "recommend a stats book that isn't super mathy",
    ],
    answers: [
      "practical statistics for data scientists",
      "naked statistics is a fun intro",
      "think stats, free online: https://greenteapress.com/thinkstats2",
      "statquest on youtube before any book",
    ],
  },
  {
    channels: RES,
    kind: "wh",
    ask: [
      "where can i find messy real world datasets",
      "where do you get datasets for portfolio projects",
    ],
    answers: [
      "https://data.gov has tons and they're properly messy",
      "kaggle, but pick the less popular ones",
      "city open data portals, nyc and chicago are great",
      "scrape your own, makes the project stand out",
    ],
  },
  {
    channels: RES,
    kind: "request",
    ask: [
      "looking for a pandas cheat sheet",
      "anyone have a good pandas cheat sheet",
    ],
    answers: [
      "https://pandas.pydata.org/Pandas_Cheat_Sheet.pdf",
      "pinned in #resources",
      "the official one is good, link is in the pins",
    ],
  },
  {
    channels: RES,
    kind: "wh",
    ask: [
      "best youtube channel for power bi",
      "need a good youtube channel for power bi",
      "who do you watch for learning power bi",
    ],
    answers: [
      "guy in a cube",
      "how to power bi, his dax videos are great",
      "alex the analyst has a full playlist",
      "https://www.youtube.com/@GuyInACube",
    ],
  },
  {
    channels: RES,
    kind: "request",
    ask: [
      "does anyone have a good resource for learning window functions",
      "good tutorial on window functions pls",
    ],
    answers: [
      "alex the analyst on youtube, his sql playlist is free",
      "https://mode.com/sql-tutorial/sql-window-functions",
      "the postgres docs page on window functions is honestly good",
    ],
  },
  {
    channels: RES,
    kind: "yesno",
    ask: [
      "are there any free sql courses that are actually good",
      "anyone know a free sql course",
    ],
    answers: ["khan academy intro to sql, then sqlbolt"],
    yes: ["sqlbolt and selectstarsql, both free", "mode's sql tutorial is free"],
  },
  // --- Content ----------------------------------------------------------------------------------
  {
    channels: CONTENT,
    kind: "wh",
    ask: [
      "what should i post on linkedin as a beginner",
      "no idea what to post on linkedin, what do you all write about",
    ],
    answers: [
      "post what you learned this week, that's enough",
      "share a chart from your project with 3 lines on what it shows",
      "document the journey, people love the before/after",
      "https://www.linkedin.com/in/mattmike look at how he does it, short posts with one chart",
    ],
  },
  {
    channels: CONTENT,
    kind: "yesno",
    ask: ["is medium still worth posting on", "does posting on medium still get views"],
    answers: ["some, but a personal blog you own is better long term"],
    yes: ["for data stuff it still gets traffic", "sure, cross post to your own site too"],
    no: ["not really, paywall kills reach", "own blog is better long term"],
  },
  {
    channels: CONTENT,
    kind: "wh",
    ask: [
      "youtube or a blog first, which would you start with",
      "should i start with a youtube channel or a blog",
    ],
    answers: [
      "blog first, writing is faster to iterate on",
      "youtube if you like talking, the data niche there is still small",
      "whichever you'll actually keep doing every week",
    ],
  },
  {
    channels: CONTENT,
    kind: "wh",
    ask: [
      "how often do you post",
      "how often should i post to grow",
    ],
    answers: [
      "twice a week, every week, consistency beats quality early on",
      "i do one post every monday",
      "whatever you can keep up for 6 months",
    ],
  },
  {
    channels: CONTENT,
    kind: "request",
    ask: [
      "thumbnail ideas for a sql tutorial video",
      "need a title for my pandas tutorial video",
    ],
    answers: [
      "big text 'sql in 10 min' and your face, works every time",
      "'the only pandas video you need' lol",
      "name the problem it solves, not the tool",
    ],
  },
  // --- Projects ---------------------------------------------------------------------------------
  {
    channels: PROJECT,
    kind: "request",
    ask: [
      "here's my first power bi dashboard https://github.com/sam-data/bike-dashboard feedback welcome",
      "finished my churn model project, would love some eyes on it",
      "can someone check my portfolio site",
    ],
    answers: [
      "looks clean! i'd put the key number at the top left",
      "nice, add a short readme with the business question",
      "too many colors imo, pick 2 and highlight one",
      "good work, the notebook needs headers though",
    ],
  },
  {
    channels: PROJECT,
    kind: "yesno",
    ask: [
      "is a titanic project too basic for a portfolio",
      "are kaggle projects too basic for a portfolio",
    ],
    answers: ["recruiters have seen it 1000 times, pick something you care about"],
    yes: ["yeah, everyone has it", "a bit, pick a less common dataset"],
    no: ["not if you take it further than the tutorial"],
  },
  {
    channels: PROJECT,
    kind: "wh",
    ask: [
      "what's a good first end to end project",
      "any ideas for a project that isn't titanic",
    ],
    answers: [
      "scrape job postings and analyse which skills show up most",
      "your own spending data, clean it, model it, dashboard it",
      "pick something from a hobby you actually care about, get the data yourself through an api or scraping, clean it, put it in a database, and build one dashboard that answers a real question. that covers everything they ask about",
      "something from your old job, recruiters love domain knowledge",
    ],
  },
  {
    channels: PROJECT,
    kind: "wh",
    ask: [
      "how do i host a streamlit app for free",
      "where do you deploy streamlit apps",
    ],
    answers: [
      "streamlit community cloud, connect the github repo",
      "hugging face spaces works too",
      "https://streamlit.io/cloud free tier is enough for a portfolio",
    ],
  },
  // --- Server / schedule ------------------------------------------------------------------------
  {
    channels: SERVER,
    kind: "wh",
    ask: [
      "when is the next mock interview session",
      "what time is the sql workshop this week",
      "is the resume review thing still on thursday",
    ],
    answers: [
      "it moved to friday",
      "thursday 7pm et",
      "tomorrow at 6, check #events",
      "it got pushed to next week",
    ],
  },
  {
    channels: SERVER,
    kind: "yesno",
    ask: [
      "is the workshop recorded",
      "will there be a recording of the live session",
    ],
    answers: ["recording goes up in #resources a day after"],
    yes: ["it'll be in #resources", "yep, posted the next day"],
    no: ["only on weekdays", "not this one, it's live only"],
  },
  {
    channels: SERVER,
    kind: "yesno",
    ask: [
      "anyone going to the meetup friday",
      "is anyone else doing the study group tonight",
    ],
    answers: ["i'll be there", "can't this week, next one for sure"],
    yes: ["i'll be there", "see you there"],
    no: ["cant make it", "not this time"],
  },
  {
    channels: SERVER,
    kind: "wh",
    ask: [
      "where do i post job leads",
      "which channel is for sharing jobs",
    ],
    answers: [
      "#job-leads",
      "there's a #job-leads channel",
      "in #job-search-support, pinned thread",
    ],
  },
  {
    channels: SERVER,
    kind: "yesno",
    ask: ["is the study group open to everyone", "can anyone join the accountability group"],
    answers: ["open to everyone, just react in #events"],
    yes: ["just show up", "react to the post in #events"],
    no: ["it's full this round, next one starts in march"],
  },
  {
    channels: SERVER,
    kind: "wh",
    ask: ["how do i get the analyst role on here", "how do i get a role in this server"],
    answers: ["react in #roles", "go to #roles and pick the emoji"],
  },
  // --- Terminal, environments, git --------------------------------------------------------------
  {
    channels: PY,
    kind: "wh",
    ask: [
      "how do i install python on ubuntu",
      "whats the right way to get python 3.12 on linux",
    ],
    answers: [
      "`sudo apt install python3 python3-venv` and use a venv for everything else",
      "use pyenv, then `pyenv install 3.12`",
      "the deadsnakes ppa has newer versions",
    ],
    clarify: [["which ubuntu version", ["22.04", "24.04 i think"]]],
    fixable: true,
  },
  {
    channels: PY,
    kind: "declarative",
    ask: [
      "getting permission denied when i run my script",
      "bash says permission denied for ./run.sh",
    ],
    answers: [
      "`chmod +x run.sh` then run it again",
      "run it with `bash run.sh` or make it executable",
      "the file isn't executable, chmod +x fixes it",
    ],
    fixable: true,
  },
  {
    channels: PY,
    kind: "wh",
    ask: [
      "how do i undo my last commit",
      "pushed the wrong file to github, how do i undo",
    ],
    answers: [
      "`git reset --soft HEAD~1` keeps your changes",
      "if it's pushed already use `git revert` instead of reset",
      "remove it with `git rm --cached file` and add it to .gitignore",
    ],
    clarify: [["did you push it already", ["yeah", "no still local"]]],
  },
  {
    channels: PY,
    kind: "wh",
    ask: [
      "why does `python` open the microsoft store",
      "typing python in cmd does nothing, what do i do",
    ],
    answers: [
      "turn off the app execution alias in windows settings",
      "use `py` instead of `python` on windows",
      "reinstall and tick the add python to PATH box in the installer",
    ],
    fixable: true,
  },
  {
    channels: PY,
    kind: "yesno",
    ask: ["should i use conda instead of venv", "is anaconda still worth installing"],
    answers: ["venv plus pip is enough unless you need gpu stuff"],
    yes: ["for data science it saves headaches", "if you're on windows, yes"],
    no: ["plain venv is simpler", "not really, it's huge"],
  },
  {
    channels: SQL,
    kind: "wh",
    ask: [
      "how do i import a csv into postgres",
      "whats the easiest way to load a csv into a table",
    ],
    answers: [
      "`\\copy my_table from 'file.csv' with csv header` in psql",
      "dbeaver has an import wizard, right click the table",
      "pandas `to_sql` if it's small",
    ],
    fixable: true,
  },
  // --- Social, general -------------------------------------------------------------------------
  {
    channels: SERVER,
    kind: "wh",
    ask: ["what is everyone working on this week", "what are you all working on"],
    answers: [
      "a churn dashboard for my portfolio",
      "finishing the sql course then starting pandas",
      "interview prep mostly",
      "cleaning a dataset that fights me every step",
    ],
  },
  {
    channels: SERVER,
    kind: "wh",
    ask: ["how was everyone's weekend", "how was your weekend"],
    answers: [
      "pretty chill, went hiking",
      "studied most of it lol",
      "too short",
      "good! finally rested",
    ],
  },
  {
    channels: SERVER,
    kind: "yesno",
    ask: ["anyone here from chicago", "anyone else in the uk"],
    answers: ["me!", "close, milwaukee"],
    yes: ["me", "born and raised"],
    no: ["nope, texas", "no, canada"],
  },
  {
    channels: SERVER,
    kind: "yesno",
    ask: ["anyone around", "u there", "anyone online"],
    answers: ["here", "yo"],
    yes: ["here", "yep what's up"],
    no: ["not really, on my phone"],
  },
  {
    channels: SERVER,
    kind: "wh",
    ask: ["where are you from", "where is everyone based"],
    answers: ["toronto", "berlin", "austin, tx", "lagos", "manila"],
  },
  {
    channels: SERVER,
    kind: "yesno",
    ask: ["did you end up going to the meetup", "did you watch the webinar yesterday"],
    answers: ["missed it, is there a recording"],
    yes: ["it was good, learned a lot", "yeah it was packed"],
    no: ["couldn't make it", "nope, work ran late"],
  },
  {
    channels: SERVER,
    kind: "wh",
    ask: ["how long did it take you to get your first data job", "how long was your job search"],
    answers: [
      "about 8 months",
      "14 months and around 300 applications",
      "3 months but i had a referral",
    ],
  },
  {
    channels: JOBS,
    kind: "wh",
    ask: ["what was your previous job before data", "what did you do before switching"],
    answers: ["teacher", "retail manager for 6 years", "accounting", "nursing"],
  },
  {
    channels: JOBS,
    kind: "yesno",
    ask: ["is anyone hiring juniors right now", "do you know anyone hiring entry level"],
    answers: ["check #job-leads, someone posted two yesterday"],
    yes: ["my company is, dm me", "a couple of roles in #job-leads"],
    no: ["not that i know of", "not at my place sadly"],
  },
  {
    channels: JOBS,
    kind: "wh",
    ask: ["what do i wear to a video interview", "any tips for a first video interview"],
    answers: [
      "business casual top, test your camera and mic before",
      "look at the camera not the screen",
      "have your project open in a tab in case they ask",
    ],
  },
  {
    channels: CONTENT,
    kind: "yesno",
    ask: [
      "does posting on linkedin actually help get interviews",
      "has linkedin content got anyone a job",
    ],
    answers: ["two of my interviews came from recruiters who saw my posts"],
    yes: ["got my current job from a post", "it helped me a lot"],
    no: ["not directly, but it helps with networking"],
  },
  {
    channels: RES,
    kind: "wh",
    ask: ["which course would you do first, sql or python", "sql or python first"],
    answers: [
      "sql, you'll use it every day as an analyst",
      "sql first, it's quicker to get useful",
    ],
  },
];

/** Clarifying questions any help thread can draw, with the asker's possible replies. */
export const GENERIC_CLARIFY: readonly (readonly [string, readonly string[]])[] = [
  ["what have you tried so far", [
    "googled it, nothing worked",
    "a couple of things from stackoverflow",
    "{only|just} the docs {so far|}",
    "{asked chatgpt|tried chatgpt}, it made it worse lol",
  ]],
  ["{is it|this} for {a class|school} or {work|a job}", [
    "{class|school}",
    "work",
    "neither, just learning",
  ]],
  ["{how far along are you|how much do you know already}", [
    "{complete|total} beginner",
    "{a few weeks|couple months} in",
  ]],
  ["{what do you mean|wdym}", ["{like|i mean} for {an interview|my project}"]],
  ["is this for work or a project", ["{a|my} portfolio project", "work", "an interview"]],
];

/** Lines by others right after a question (comments: they answer nothing). */
export const BACKCHANNEL: readonly string[] = [
  "hmm",
  "good q",
  "{oh |}good question",
  "following",
  "same question {tbh|honestly|}",
  "👀",
  "+1 {want to|wanna} know too",
  "interested in this too",
  "{oof|ooh}",
  "hmm not sure",
  "ha i was wondering the same",
];

/** Lines by others after an answer (comments). */
export const REACT_TO_ANSWER: readonly string[] = [
  "oh nice",
  "til",
  "didn't know that",
  "this ^",
  "+1",
  "yep this",
  "{lol|haha} true",
  "saving this",
  "good tip",
  "oh thats clever",
  "wait really",
];

/** The asker after a fix that worked (comments). */
export const WORKED: readonly string[] = [
  "thanks that worked",
  "oh nice that did it",
  "that fixed it, ty",
  "ok will try that",
  "ahh that was it",
];

/** The asker after a helpful answer (comments). */
export const THANKS: readonly string[] = [
  "ty!!",
  "perfect thank you",
  "ahh makes sense",
  "ohh ok",
  "thx",
  "that makes sense, thanks",
  "got it",
  "{amazing|awesome}, thank you",
  "ok",
];

/** The asker when a fix did not work (comments: they report, they do not ask). */
export const STILL_BROKEN: readonly string[] = [
  "still getting the error",
  "hmm that didn't work for me",
  "same result :(",
  "tried it, still the same",
];

/** A helper's question back after "still broken" (a yes/no question to the asker). */
export const RECHECK: readonly (readonly [string, readonly string[], readonly string[]])[] = [
  ["did you restart the kernel", ["{yeah|yes|yep}", "{yeah|yep} twice"], [
    "oh wait no",
    "no, doing it now",
  ]],
  ["did you save the file first", ["{yeah|yes}"], ["...no lol", "oh. no"]],
  ["are you running it on the right table", ["yes", "yeah"], ["oh wait", "hmm no i wasn't"]],
];

/** The asker after a recheck that fixed it (comment). */
export const FIXED_NOW: readonly string[] = ["ok that fixed it", "works now, ty", "omg it works"];

/** Bare yes/no words that answer a yes/no question. */
export const YES: readonly string[] = ["yeah", "yes", "yep", "yup", "ya", "sure", "definitely"];
export const NO: readonly string[] = ["nope", "no", "nah", "not really"];

/** Side talk: a starter line and the short replies it draws (all comments). */
export interface SideTalk {
  channels: readonly Channel[] | "any";
  lines: readonly string[];
  replies: readonly string[];
}

/** Side talk that carries information or mood without asking or answering anything. */
export const SIDE_TALK: readonly SideTalk[] = [
  {
    channels: ["general", "job-search-support"],
    lines: [
      "just got an offer for a {role} role!!",
      "passed my first technical screen {today|this morning} {at {company}|}",
      "finally finished {cert}",
      "got my first interview callback after {number} applications",
      "signed the offer today, starting {in march|next month|monday} as a {role}",
      "update: i got the {role} job at {company}. {number} months of applying and it finally happened, thank you all for the resume help and the mock interviews",
    ],
    replies: [
      "congrats!!",
      "lets gooo",
      "huge",
      "well deserved",
      "🎉",
      "congrats 🎉",
      "W",
      "so happy for you",
    ],
  },
  {
    channels: ["job-search-support"],
    lines: [
      "got rejected after the final round {again|at {company}}",
      "ghosted after {number} interviews, love this market",
      "another automated rejection email this morning",
      "job hunting is exhausting ngl",
      "{company} rejected me {two days|an hour|a week} after the {take home|final round|phone screen}",
      "i spent the whole weekend on a take home for {company}, they said it was great and then went with someone with more experience. not sure what else to do at this point",
    ],
    replies: [
      "oof sorry",
      "that sucks",
      "their loss",
      "hang in there",
      "been there",
      "same here rn",
      "❤️",
    ],
  },
  {
    channels: ["general"],
    lines: [
      "reminder: mock interview session tonight {clock}",
      "the {sql|python|portfolio|resume} workshop moved to {day}",
      "new channel for tableau folks: #bi-help",
      "recording of yesterday's session is up in #resources",
      "study group starts again {day}",
      "heads up: {event} is {day} at {clock}",
    ],
    replies: ["ty", "nice", "👍", "thanks for the heads up", "ok", "noted"],
  },
  {
    channels: "any",
    lines: [
      "gm {all|everyone|y'all|}",
      "morning {everyone|all|folks}",
      "hey {all|everyone|guys}",
      "back after a week off",
      "{evening|happy friday|happy monday} {folks|all|}",
      "hi, new here! {switching from {oldjob}|learning {tool}|just started a bootcamp}",
    ],
    replies: ["gm", "morning", "hey!", "welcome back", "hiii", "yo"],
  },
  {
    channels: "any",
    lines: [
      "honestly {excel|sql|{tool}} is underrated",
      "leetcode for analyst roles is overkill",
      "{sql|excel|{tool}} is still the most useful thing i learned",
      "dashboards nobody opens are my villain origin story",
      "every job posting wants {number} years experience for an entry level role lol",
      "stakeholders asking for just one more filter again",
      "hot take: {opinion}",
      "i think people underestimate how much of this job is just talking to people. the sql part is maybe a third of it, the rest is figuring out what they actually want",
    ],
    replies: ["true", "same", "lol", "fr", "yeah", "facts", "this", "100%", "ok", "lmao"],
  },
  {
    channels: "any",
    lines: [
      "my query has been running so long i made {lunch|coffee|{food}}",
      "spent {an hour|all morning|{duration}} debugging and it was a typo in the column name",
      "coffee number {number} and it's not even noon",
      "finally understood {concept} today",
      "merged my first pr at work",
      "{life}",
    ],
    replies: ["lol", "relatable", "classic", "nice", "haha same", "been there", "ok", "😂"],
  },
  {
    channels: ["sql-help", "python-help"],
    lines: [
      "pro tip: always check row counts before and after a join",
      "duckdb can query csv files directly, game changer",
      "`df.info()` before anything else saves so much time",
      "remember to close your cursors people",
    ],
    replies: ["good tip", "this", "til", "true", "saving this", "yeah"],
  },
  {
    channels: ["share-your-project", "content-creation"],
    lines: [
      "posted my project writeup on linkedin, {number}k views so far",
      "just published part {number} of my {sql|python|power bi} series",
      "my dashboard got featured in the tableau gallery",
      "pushed the final version of my portfolio",
      "new video is up: {project}",
    ],
    replies: ["nice!", "congrats", "🔥", "gonna read it", "so cool", "love it"],
  },
];

/** Openings and endings people wrap around a question (chosen independently of the topic). */
export const ASK_OPENINGS: readonly string[] = [
  "quick question, ",
  "sorry if this is dumb but ",
  "hey guys ",
  "ok so ",
  "random q but ",
  "noob question: ",
  "hi! ",
  "{hey|hi} {all|everyone}, ",
  "{ugh|help}, ",
  "been stuck on this for {an hour|ages|a while}: ",
];

/** See {@linkcode ASK_OPENINGS}. */
export const ASK_ENDINGS: readonly string[] = [
  " lol",
  " pls",
  " {thx|thanks} in advance",
  " 😅",
  " anyone",
  " {for a project|for my portfolio|for an interview}",
];

/** Openings and endings of prose answers. */
export const ANSWER_OPENINGS: readonly string[] = [
  "i think ",
  "imo ",
  "honestly ",
  "pretty sure ",
  "iirc ",
  "i'd say ",
  "from experience, ",
  "{oh|ah} ",
];

/** See {@linkcode ANSWER_OPENINGS}. */
export const ANSWER_ENDINGS: readonly string[] = [
  " fwiw",
  " tbh",
  ", worked for me",
  " :)",
  ", good luck",
  " hope that helps",
];

/**
 * Leads of a framed help answer (`--answers framed`) that fit before any answer: where it comes
 * from, how sure the helper is, a greeting. Lowercase; the author's style types them.
 */
export const ANSWER_LEADS: readonly string[] = [
  "so basically ",
  "ok so ",
  "good question, ",
  "not 100% sure but ",
  "if i remember right, ",
  "{hey|hi}! ",
  "short answer: ",
  "in my experience ",
  "from what i've seen, ",
  "my two cents: ",
  "yeah so ",
  "quick answer: ",
];

/** ... and those that fit before a fix for something broken (technical help). */
export const FIX_LEADS: readonly string[] = [
  "the way i'd do it: ",
  "what worked for me: ",
  "{oh |}this one trips everyone up, ",
  "had the same {issue|problem} {last week|a while ago|at work}, ",
];

/**
 * Advice to the asker before an answer that starts with an imperative verb ("you can use
 * row_number()", "i'd check the key"), as helpers who explain write it.
 */
export const ANSWER_ADVICE: readonly string[] = [
  "you can ",
  "you could ",
  "you could try to ",
  "i'd ",
  "i would ",
  "you'll want to ",
  "you need to ",
  "best thing is to ",
  "just ",
  "i usually ",
];

/** Verbs that open an imperative answer core, so an advice lead reads right before it. */
export const IMPERATIVE_VERBS: ReadonlySet<string> = new Set([
  "use",
  "check",
  "try",
  "add",
  "run",
  "put",
  "post",
  "share",
  "pick",
  "look",
  "go",
  "read",
  "start",
  "make",
  "ask",
  "apply",
  "set",
  "drop",
  "wrap",
  "filter",
  "convert",
  "pass",
  "install",
  "restart",
  "open",
  "write",
  "keep",
  "learn",
  "follow",
  "build",
  "do",
  "send",
  "reach",
  "turn",
  "split",
  "call",
  "create",
  "switch",
  "focus",
  "save",
  "document",
  "scrape",
  "dedupe",
  "aggregate",
  "mention",
  "email",
  "message",
  "grab",
  "strip",
  "activate",
  "upgrade",
  "load",
  "vectorise",
  "star",
  "test",
  "lead",
  "think",
]);

/** Leads of a recommendation (a course, a book, a channel) in #resources. */
export const RECOMMEND_LEADS: readonly string[] = [
  "i'd recommend ",
  "{def|definitely} ",
  "+1 for ",
  "i really liked ",
  "personally i'd go with ",
];

/** Closing sentences of a framed help answer (`--answers framed`) that fit any answer. */
export const ANSWER_TAILS: readonly string[] = [
  "hope {this|that} helps",
  "does that make sense",
  "good luck!",
  "just my experience though",
  "others might disagree",
  "that's what i did anyway",
  "happy to say more if you want",
  "at least that's how i see it",
];

/** ... and those that fit a fix for something broken (technical help). */
export const FIX_TAILS: readonly string[] = [
  "that should {fix it|do it|sort it out}",
  "let me know if that works",
  "took me ages to figure that out too",
  "ping me if you're still stuck",
  "{worked|works} for me every time",
  "there's a good stackoverflow {answer|thread} on it too",
  "the docs explain it {well|pretty well} too",
  "{it's|its} a common one, don't worry",
];

/**
 * Longer forms of the comments around a help answer (`--answers framed-replies`): askers thank at
 * length and say what they learned, bystanders praise or save an answer, people report back in
 * full sentences. Comments all: they ask and answer nothing.
 */
export const LONG_THANKS: readonly string[] = [
  "thanks, that {worked|did it}! i didn't know you could do that",
  "oh that makes sense now, i was {doing it wrong|overcomplicating it} the whole time",
  "thank you so much, been stuck on this {all day|for hours|since yesterday}",
  "perfect, that's exactly what i needed. appreciate you taking the time",
  "ahh ok so that was the problem all along, thanks for explaining it",
  "that's really helpful, thank you! going to try it tonight",
  "ok that clears it up, i'll read up on it more. thanks for pointing me in the right direction",
  "thanks {everyone|all}, this server is the best",
  "wow ok that was way simpler than i thought, thank you",
];

/** ... the asker after a fix that worked. */
export const LONG_WORKED: readonly string[] = [
  "that fixed it! i owe you one",
  "ok it works now, i was missing that one part the whole time",
  "just tried it and it worked, thank you so much",
  "finally working, {three hours|a whole afternoon} for that lol. thanks",
  "it runs now, can't believe it was that simple",
];

/** ... the asker when a fix did not work. */
export const LONG_STILL_BROKEN: readonly string[] = [
  "i tried that but i'm still getting the same error, not sure what i'm doing wrong",
  "hmm that didn't change anything for me, still the same result",
  "still broken unfortunately, i'll keep digging and post what i find",
];

/** ... a bystander after an answer. */
export const LONG_REACT_TO_ANSWER: readonly string[] = [
  "this is a great explanation, saving it for later",
  "wish i'd known this when i started",
  "same thing happened to me last month, this is exactly what fixed it",
  "good answer, the docs make it way more confusing than it is",
  "bookmarking this thread",
  "this is why i love this server",
  "didn't know that either, learned something today",
];

/** ... a bystander right after a question. */
export const LONG_BACKCHANNEL: readonly string[] = [
  "i've been wondering about this too, following",
  "good question, i never really understood it either",
  "following, i'm stuck on the same thing",
  "interested in the answer to this too, had the same problem last week",
];

/** Joins of a second answer to a first, in one message or as the helper's next line. */
export const ANSWER_JOINS: readonly string[] = ["also ", "also, ", "oh and ", "plus "];

/** ... and those that offer a second fix (technical help). */
export const FIX_JOINS: readonly string[] = [
  "or ",
  "another option: ",
  "if that doesn't work, ",
  "alternatively ",
];

/**
 * A listener's backchannel or agreement in a two-person exchange, after the other's statement
 * (comments): in real talk these short lines mostly follow statements, and the same words
 * ("yeah", "no", "right") answer a yes/no question only when one was just asked.
 */
export const EXCHANGE_BACKCHANNEL: readonly string[] = [
  "yeah",
  "yeah",
  "yeah",
  "yeah yeah",
  "oh yeah",
  "yeah totally",
  "yeah i know",
  "right",
  "right",
  "i know",
  "i know right",
  "true",
  "exactly",
  "mhm",
  "uh huh",
  "oh really",
  "really",
  "oh really?",
  "really?",
  "oh yeah?",
  "seriously?",
  "right?",
  "wait what?",
  "oh wow",
  "wow",
  "no way",
  "oh no",
  "oh nice",
  "nice",
  "lol",
  "haha",
  "lmao",
  "oh ok",
  "ok",
  "sure",
  "for sure",
  "same",
  "fair",
  "damn",
  "ugh",
];

/** Yes/no questions one person asks another about themselves in an exchange. */
export const EXCHANGE_YESNO: readonly string[] = [
  "do {you|u} have kids",
  "have {you|u} been to {city}",
  "{are you|r u} from {city}",
  "{are you|r u} still at {company}",
  "do {you|u} like it there",
  "did {you|u} like it",
  "was it {adj}",
  "is it {adj}",
  "{did you|did u} {go|end up going}",
  "do {you|u} work from home",
  "{have you|have u|u} {tried|used} {tool}",
  "{did you|did u} see {show}",
  "{do you|u} watch {show}",
  "{are you|r u} {activity} {day}",
  "{did you|did u} finish it",
  "{do you|u} still {activity}",
  "is that {far|expensive|normal|a thing}",
  "was that {your|ur} first job",
  "{did you|u} get in",
  "{do you|u} miss {oldjob}",
  "{so |}you {like|liked} it",
  "{do you|u} {cook|run|game|travel} much",
];

/** Words that may follow a "yeah" in an exchange answer. */
export const EXCHANGE_YES_MORE: readonly string[] = [
  "{two|three} of them",
  "for like {duration} now",
  "i {love|like} it",
  "it was {adj}",
  "last {year|summer|month}",
  "pretty much",
  "most days",
  "i think so",
  "sometimes",
  "a couple times",
  "{it's|its} {adj} tho",
];

/** Words that may follow a "no" in an exchange answer. */
export const EXCHANGE_NO_MORE: readonly string[] = [
  "not yet",
  "never been",
  "not really",
  "i wish",
  "not anymore",
  "not since {day}",
  "never tried it",
  "{haven't|havent} had time",
];

/** Wh-questions one person asks another in an exchange, and answers that fit all of them. */
export const EXCHANGE_WH: readonly string[] = [
  "where {are you|r u} {from|based}",
  "what do {you|u} do now",
  "how long {have you|u} been {activity}",
  "how was it",
  "what's it like",
  "how old are they",
  "when did {you|u} start",
];

/** Short answers that fit any of {@linkcode EXCHANGE_WH}. */
export const EXCHANGE_WH_ANSWERS: readonly string[] = [
  "{city}",
  "{city} {for now|originally}",
  "{role} at {company}",
  "like {duration}",
  "{adj} honestly",
  "pretty {adj}",
  "{two|three|five} and {seven|eight|ten}",
  "{last year|in march|a while ago}",
];

/** The asker after an answer in an exchange (comments). */
export const EXCHANGE_REACT: readonly string[] = [
  "oh nice",
  "oh cool",
  "oh ok",
  "oh really",
  "ah",
  "nice",
  "oh wow",
  "lol same",
  "that's cool",
  "oh no",
  "damn",
  "gotcha",
  "oh yeah",
  "ha nice",
  "oh really?",
  "really?",
  "no way, really?",
];

// --- Hangout talk (#introductions, #off-topic, #general outside help threads) -----------------

/**
 * A personal question of the hangout channels — where someone is from, kids, pets, how long
 * they have studied, the weekend — with the replies that fit it. Most are short: a bare
 * "yeah" / "nah" with a fact, or the fact alone ("since march", "two of them", "ohio").
 */
export interface Hangout {
  /** Channels it comes up in. */
  channels: readonly Channel[];
  kind: "yesno" | "wh" | "or" | "declarative" | "request";
  /** Ways of asking (to one person or to the room). */
  ask: readonly string[];
  /** Replies that answer it. */
  answers: readonly string[];
  /** Whether the one who answered may ask it back ("hbu", "you?"), answered by the asker. */
  bounce?: boolean;
  /** A follow-up the asker may ask after the answer, with its replies. */
  follow?: readonly (readonly [string, readonly string[]])[];
}

const HANG: readonly Channel[] = ["off-topic", "general"];
const MEET: readonly Channel[] = ["introductions", "general", "off-topic"];
const STUDY: readonly Channel[] = ["introductions", "general", "job-search-support"];

/** Personal questions of the hangout channels. */
export const HANGOUTS: readonly Hangout[] = [
  {
    channels: MEET,
    kind: "wh",
    ask: [
      "where {are you|r u|is everyone} {from|based}",
      "where {are you|r u} located",
      "where in the world is everyone",
      "what {city|state|country} {are you|r u} in",
    ],
    answers: [
      "{city}",
      "{city} here",
      "{city} {area|suburbs|for now}",
      "originally {city}, {city} now",
      "near {city}",
      "{city}, {it's|its} {freezing|so hot|raining} here lol",
    ],
    bounce: true,
    follow: [["{oh nice|ooh} {how do you|do u} like it there", [
      "{love it|it's ok|its fine}",
      "{it's|its} {fine|ok} {lol|}, {too cold|too expensive|too hot}",
      "miss home {tbh|honestly|}",
    ]]],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "anyone here from {city}",
      "any {city} people here",
      "anyone {else |}in {city}",
      "is anyone here {in|near} {city}",
      "anyone in the {est|pst|uk|eu} timezone",
    ],
    answers: [
      "me!",
      "me",
      "{yep|yeah}, {north|south} side",
      "{not quite|close}, {city}",
      "not me, {city}",
      "{born there|grew up there} lol",
      "o/",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: ["do {you|u} have kids", "{you|u} have kids right", "any kids"],
    answers: [
      "yeah two of them",
      "{yep|yeah}, {two|three} {boys|girls|under 5}",
      "one, she's {3|4|6|9}",
      "nope, just a {dog|cat}",
      "nah not yet",
      "{no|nope}",
      "{yeah|yep} {two|three}, {it's|its} chaos lol",
    ],
    bounce: true,
    follow: [["how old {are they|r they}", [
      "{5|two} and {7|ten}",
      "{4|6} and {9|12}",
      "both teens lol",
    ]]],
  },
  {
    channels: STUDY,
    kind: "wh",
    ask: [
      "how long have {you|u} been studying",
      "how long {have you|u} been learning {tool}",
      "how long {have you|u} been at it",
      "when did {you|u} start {learning|studying} {tool|data stuff}",
      "how long {have you|u} been job hunting",
    ],
    answers: [
      "since {march|january|the summer|last fall}",
      "like {duration}",
      "{duration} {on and off|now|i think}",
      "{about|almost} a year",
      "{two|three} weeks lol",
      "{since|started} {last year|new years|christmas}",
      "too long lol, {duration}",
    ],
    bounce: true,
    follow: [["{is it|has it been} {hard|worth it|going ok}", [
      "{harder than i thought|not bad|pretty good} {tbh|so far|}",
      "{yeah|yes} {slowly|getting there}",
      "some days lol",
    ]]],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "{u|you} still at that job",
      "{are you|r u} still at {company}",
      "still {teaching|in retail|at the bank|nursing}",
      "{are you|r u} still working {nights|weekends|part time}",
    ],
    answers: [
      "{yeah|yep} for now",
      "{yeah|yep}, till i find something",
      "unfortunately lol",
      "nah left in {march|may|the summer}",
      "{nope|no}, {started|moved} somewhere else {last month|in march}",
      "{yeah|ya} {but|} {not for long|hopefully not for long}",
    ],
    follow: [["how {is|s} it {going|there}", [
      "{same old|meh|fine}",
      "{busy|slow} lol",
      "{better|worse} than last year",
    ]]],
  },
  {
    channels: HANG,
    kind: "wh",
    ask: [
      "any plans {this weekend|for the weekend|tonight}",
      "what {are you|r u|is everyone} {up to|doing} {this weekend|tonight|today}",
      "doing anything fun {this weekend|for the holidays}",
    ],
    answers: [
      "nothing, just studying",
      "{a wedding|my cousin's bday|a concert} {lol|}",
      "sleeping {lol|mostly}",
      "{hiking|the beach|family stuff} {if it doesn't rain|probably|}",
      "nothing much, {laundry|catching up on {show}}",
      "{working|work} {unfortunately|sadly} 😭",
    ],
    bounce: true,
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "do {you|u} have {pets|a dog|a cat}",
      "is that {your|ur} {cat|dog} in {your|ur} pfp",
      "{you|u} have a dog right",
    ],
    answers: [
      "{yeah|yep} a {cat|dog}, {she's|he's} a menace",
      "{yep|yeah}, {two|three} cats lol",
      "{no|nope} but i want one",
      "{nah|no}, {it's|its} my {parents'|sister's} dog",
      "{yep|yes} {lol|}",
    ],
    follow: [["{what's|whats} {their|her|his} name", ["{biscuit|mochi|luna|max|pepper|nugget}"]]],
  },
  {
    channels: HANG,
    kind: "wh",
    ask: [
      "{what's|whats} {your|ur} {dog's|cat's} name",
      "{who's|whos} the {dog|cat} in {your|ur} pfp",
    ],
    answers: [
      "{biscuit|mochi|luna|max|pepper|nugget}",
      "{that's|thats} {biscuit|mochi|luna|max} lol",
      "my {parents'|sister's} {dog|cat}, {luna|max}",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "anyone watching the game {tonight|today}",
      "{did you|did u|u} see the game {last night|yesterday}",
      "{who's|whos} watching the {finals|match|super bowl}",
    ],
    answers: [
      "{yep|yeah} {lol|}",
      "me, {can't|cant} miss it",
      "{missed it|no}, {was working|had class}",
      "{yeah|yes} {what a game|painful} lol",
      "{nope|nah} not into sports",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: ["anyone {play|still play} {game}", "{do you|u} play {game}", "{do you|u} game"],
    answers: [
      "every {night|day} {lol|unfortunately}",
      "{not since|not anymore, since} {college|high school}",
      "{yeah|yep}, add me",
      "{no|nah}, no time {lol|anymore}",
      "{sometimes|on weekends}",
    ],
  },
  {
    channels: HANG,
    kind: "wh",
    ask: [
      "{how's|hows} the weather {there|where you are}",
      "is it {snowing|raining|hot} {there|where u are}",
    ],
    answers: [
      "{freezing|so hot|raining again}",
      "{yeah|ya} like a foot",
      "sunny and {75|80|30}",
      "{nope|no}, {finally|} nice out",
    ],
    bounce: true,
  },
  {
    channels: HANG,
    kind: "wh",
    ask: ["{what time is it|whats the time} there", "{isn't it|isnt it} late there"],
    answers: ["{almost midnight|3am|lunch time} lol", "{2pm|11pm|9am}", "{yeah|ya} {1am|2am} lol"],
  },
  {
    channels: MEET,
    kind: "wh",
    ask: [
      "what did {you|u} do before {data|this}",
      "{what's|whats} {your|ur} background",
      "what do {you|u} do {now|for work|rn}",
    ],
    answers: [
      "{teacher|nurse|accountant|bartender|line cook} for {number} years",
      "retail {mostly|lol}",
      "{oldjob} {right now|atm|rn}",
      "{accounting|marketing|finance}, {hated it|it was ok}",
      "{military|hospitality|customer service}",
    ],
    bounce: true,
    follow: [["do {you|u} miss it", [
      "{not at all|nope} lol",
      "{the people|my coworkers} {yeah|a bit}",
      "{sometimes|kinda}",
    ]]],
  },
  {
    channels: MEET,
    kind: "yesno",
    ask: [
      "{did you|did u} study {cs|stats|math} {in school|}",
      "{do you|u} have a {cs|stats} degree",
      "{did you|did u} go to college for this",
    ],
    answers: [
      "{nope|no}, {biology|history|psych|business}",
      "{yep|yeah} {econ|stats} {but forgot all of it lol|}",
      "{nah|no}, self taught",
      "{yes|yeah}, {a while ago|long time ago} lol",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "anyone watching {show}",
      "{have you|have u|u} seen {show}",
      "{did you|did u} finish {show} yet",
      "is {show} worth {it|watching}",
    ],
    answers: [
      "{yes|yess} {obsessed|so good}",
      "not yet, no spoilers {pls|please}",
      "only the first season",
      "{yeah|yep}, {the ending|season 2} {though|tho} 😭",
      "{nope|no}, heard its good",
      "{dropped it|gave up} after {ep|episode} {2|3}",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: ["do {you|u} work from home", "is {your|ur} job remote", "{are you|r u} {hybrid|remote}"],
    answers: [
      "hybrid, {two|three} days in office",
      "fully remote {thank god|lol|}",
      "{nah|nope}, in office every day",
      "{yeah|yep} {most days|mostly}",
      "{yeah|yep} but i kinda miss the office",
    ],
    bounce: true,
  },
  {
    channels: HANG,
    kind: "wh",
    ask: [
      "{how are you|how r u|hows everyone|how's everyone} {doing|holding up|} {today|this week|}",
      "{you|u} good",
      "{how's|hows} {your|ur} {day|week|monday} going",
      "how was {your|ur} {weekend|trip|day off}",
    ],
    answers: [
      "{good|not bad|surviving} {lol|tbh|}",
      "tired but good",
      "{pretty chill|long day|rough week} {lol|tbh|honestly}",
      "{all good|im good} {ty|thanks}",
      "{exhausted|so tired} lol",
      "{too short|it was good} {lol|}",
    ],
    bounce: true,
  },
  {
    channels: HANG,
    kind: "wh",
    ask: [
      "how did the {interview|move|trip} go",
      "how was the {interview|wedding|concert}",
    ],
    answers: [
      "{went well|went ok} i think",
      "{so fun|amazing}, {still tired|no voice left} lol",
      "{rough|long}, {tell u later|dont ask}",
      "better than i expected",
    ],
  },
  {
    channels: HANG,
    kind: "wh",
    ask: [
      "what's everyone {eating|having for dinner|having for lunch}",
      "{what's|whats} for {dinner|lunch}",
      "what {are you|r u} {eating|cooking}",
    ],
    answers: [
      "{food}",
      "{food} again",
      "leftovers {lol|again}",
      "{cereal|toast|coffee} {lol|}, {it's|its} been a day",
      "my mom's {food}",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "anyone else's {internet|discord|wifi} {super slow|down|acting up} {today|rn}",
      "{is it|its} just me or is discord {laggy|down}",
    ],
    answers: [
      "{yep|yeah} {mine too|same}",
      "{works fine|fine} for me",
      "{no|nope}, {works fine here|all good here}",
      "{same here|me too} lol",
    ],
  },
  {
    channels: HANG,
    kind: "yesno",
    ask: [
      "anyone else {can't sleep|up this late|still awake}",
      "does anyone else {get sleepy after lunch|talk to their plants|study with music on}",
    ],
    answers: [
      "{me|same here} lol",
      "{literally|} every day",
      "{yes|yeah}, {3am club|can't sleep either}",
      "me 🙋",
    ],
  },
  {
    channels: HANG,
    kind: "wh",
    ask: ["how old {are you|r u} if {you|u} don't mind me asking", "when's {your|ur} birthday"],
    answers: [
      "{26|33|41}",
      "{29|31|24|38}",
      "{turning|almost} {30|40|25}",
      "{next week|in march|yesterday} lol",
    ],
  },
  {
    channels: HANG,
    kind: "or",
    ask: [
      "{coffee|tea} or {tea|energy drinks}",
      "{morning|night} person or {night|morning} person",
    ],
    answers: [
      "coffee {obviously|always}",
      "{both|neither} lol",
      "night, {sadly|unfortunately}",
      "morning {lol|}",
    ],
    bounce: true,
  },
  {
    channels: HANG,
    kind: "or",
    ask: ["{cats|dogs} or {dogs|cats}", "{pizza|tacos} or {burgers|sushi}"],
    answers: [
      "dogs {100%|easily}",
      "cats {obviously|}",
      "{tacos|sushi} {every time|no contest}",
      "{both|neither} lol",
    ],
    bounce: true,
  },
  {
    channels: ["introductions", "general"],
    kind: "wh",
    ask: [
      "welcome! what are {you|u} {learning|working on} {rn|right now|atm}",
      "{welcome|hey}! what {are you|r u} studying",
    ],
    answers: [
      "{sql|sql and excel|python|power bi} for now",
      "the {google cert|{cert}} {right now|atm}",
      "{thanks!|ty!} {learning|doing} {tool} {rn|right now}",
    ],
  },
  {
    channels: ["introductions", "general"],
    kind: "wh",
    ask: ["{welcome|hey}! what got {you|u} into data", "welcome! why data"],
    answers: [
      "{my job|a coworker|covid} honestly lol",
      "{i like|always liked} excel {lol|tbh}",
      "{a friend|my brother} {did it|got into it} and loves it",
    ],
  },
  {
    channels: ["introductions", "general"],
    kind: "wh",
    ask: ["{welcome|hey}! {what|which} role are {you|u} going for", "welcome! what kind of role"],
    answers: [
      "{analyst|data analyst|bi} roles {mostly|i think}",
      "{analyst|analytics} for now",
      "not sure yet {tbh|honestly}",
    ],
  },
  {
    channels: ["introductions"],
    kind: "wh",
    ask: ["welcome! where {are you|r u} {based|from}", "welcome! where in {city}"],
    answers: ["{city}", "{city} {area|suburbs}", "{north|east} side {lol|}"],
  },
  {
    channels: ["introductions", "general"],
    kind: "wh",
    ask: [
      "what {are you|r u} hoping to get out of the server",
      "welcome! what brings {you|u} here",
    ],
    answers: [
      "{just|mostly} {networking|accountability|people to study with}",
      "job {leads|help} {lol|honestly}",
    ],
  },
  {
    channels: STUDY,
    kind: "yesno",
    ask: [
      "{are you|r u} doing the {google cert|bootcamp|{cert}} too",
      "{did you|did u} {finish|pass} {it|the cert|the course} yet",
    ],
    answers: [
      "{yeah|yep}, module {2|3|4}",
      "{yes|yeah} {lol|}, {halfway|almost done}",
      "{nope|no}, {self taught|on my own}",
      "{not yet|almost}, {one|two} more {weeks|modules}",
    ],
    bounce: true,
  },
  {
    channels: STUDY,
    kind: "yesno",
    ask: [
      "{are you|r u} {in school|in college|working} {rn|right now|too}",
      "{do you|u} study {every day|on weekends|after work}",
    ],
    answers: [
      "{nah|no}, {working full time|just work}",
      "{trying to|tryna}, {an hour|like an hour} a day",
      "{yeah|yep}, {night classes|part time}",
      "{mostly|} weekends",
    ],
    bounce: true,
  },
  {
    channels: HANG,
    kind: "request",
    ask: [
      "{someone|anyone} {recommend|rec} a {show|podcast} pls",
      "need a {show|podcast} rec",
      "tell me {something good|a good show} to watch",
    ],
    answers: [
      "{show}",
      "{show}, {trust|trust me}",
      "{the rewatchables|hardcore history} {if you like podcasts|}",
      "{show} {or|and} {show}",
    ],
  },
];

/** A newcomer's introduction (a comment: it tells, it asks nothing). */
export const INTRODUCTIONS: readonly string[] = [
  "hi everyone! {intro}. excited to be here",
  "hey all, {intro} and {learning {tool} rn|looking for study buddies}",
  "hello! {intro}. {number} years in {oldjob} before this",
  "hi! {i'm|im} from {city}, {intro}",
  "new here 👋 {intro}",
  "hey guys, {intro}. {i have|got} {two|three} kids so i study at night lol",
  "hi, career changer from {oldjob} here, {learning {tool} rn|trying to break into {role} work}. looking for study buddies",
  "{hello|hi} from {city}! {learning {tool} rn|trying to break into {role} work}",
  "hey! {intro}, mostly {sql|excel|python} so far. glad i found this place",
  "{27|34|22}, {intro}. {nice to meet yall|happy to be here}",
];

/** Others welcoming a newcomer (comments). */
export const WELCOMES: readonly string[] = [
  "welcome!",
  "welcome 👋",
  "hey welcome!!",
  "welcome to the server",
  "welcome, glad {you're|ur} here",
  "hi! welcome",
  "welcomeee",
  "👋",
  "welcome, {good luck|you got this}!",
  "welcome! same boat, {coming from|used to do} {oldjob}",
];

/** Someone's own news or mood in the hangout channels, and the replies it draws (comments). */
export const HANGOUT_SIDE_TALK: readonly SideTalk[] = [
  {
    channels: HANG,
    lines: [
      "my {cat|dog} just knocked my coffee over",
      "{my|the} {kid|kids} finally asleep, study time",
      "made {food} from scratch {today|tonight}",
      "{it's|its} {snowing|so hot|pouring} here {lol|again}",
      "finally booked a vacation",
      "{my|our} power went out {lol|again} {rip|}",
      "just got back from {the gym|a run|a walk}",
      "{show} season {2|3} {is out|dropped} {today|tonight}",
      "{i have|got} {two|three} kids and a full time job, studying at night is rough",
      "{my team|we} won {last night|} {lets go|!!}",
      "{can't|cant} sleep again",
      "first day of spring finally",
      "{just|} adopted a {puppy|kitten} {!!|🥹}",
    ],
    replies: [
      "lol",
      "omg",
      "so cute",
      "😭",
      "rip",
      "noo",
      "jealous",
      "W",
      "lmao",
      "love that",
      "nice!",
      "enjoy!",
      "haha",
      "pics or it didnt happen",
      "relatable",
    ],
  },
  {
    channels: ["off-topic", "general", "introductions"],
    lines: [
      "{good morning|gm} from {city}",
      "{happy friday|happy monday} {everyone|all|yall}",
      "back from vacation, what did i miss",
      "{night|gn} {all|everyone}",
      "brb {dinner|kid duty|walking the dog}",
      "ok {back|im back}",
    ],
    replies: ["gm", "morning!", "hey", "hiii", "gn", "welcome back", "o/", "👋"],
  },
];

/** What the asker says after a hangout answer (comments). */
export const HANGOUT_REACT: readonly string[] = [
  "oh nice",
  "oh cool",
  "ha same",
  "lol same",
  "omg cute",
  "lucky",
  "jealous",
  "that's awesome",
  "nice nice",
  "damn",
  "lol fair",
  "love that",
  "ooh",
  "haha nice",
  "oh wow",
  "same here",
  "small world",
  "respect",
  "rip",
];

/** "And you?" after answering a hangout question (a question back to the asker). */
export const BOUNCE: readonly string[] = [
  "{you|u}",
  "hbu",
  "wbu",
  "and {you|u}",
  "how about {you|u}",
];
