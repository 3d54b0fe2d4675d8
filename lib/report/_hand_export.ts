/**
 * A small hand-built DiscordChatExporter export of a few real-looking channels, with the truth
 * written beside each message (label, and for answers the question answered), for the reader
 * and report tests. It holds what real exports hold: replies and plain follow-ups, a thread, an
 * @mention, a "+1, mine too" reply that answers nothing, a bot, joins, a pin, an attachment-only
 * message, an unknown message type, a reply to a deleted message and a duplicated message.
 * @module
 */

import { join } from "node:path";

/** One row of the hand-built export: what DCE writes, plus the truth. */
interface Row {
  id: string;
  /** minutes after 2024-03-04T09:00Z (a Monday) */
  at: number;
  who: string;
  text: string;
  type?: string;
  ref?: string;
  bot?: boolean;
  attachments?: number;
  mentions?: string[];
  /** truth; absent for non-chat rows */
  label?: "question" | "answer" | "comment";
  /** truth: the question an answer answers */
  answers?: string;
}

/** Guild of the hand-built export. */
export const HAND_GUILD = { id: "810000000000000001", name: "Breaking Into Data" };

const PEOPLE: Record<string, { id: string; nickname: string }> = {
  maya_codes: { id: "310000000000000001", nickname: "Maya" },
  dev_tom: { id: "310000000000000002", nickname: "Tom" },
  "priya.sql": { id: "310000000000000003", nickname: "Priya" },
  jjwalker: { id: "310000000000000004", nickname: "JJ" },
  carlos_analyst: { id: "310000000000000005", nickname: "Carlos" },
  MEE6: { id: "310000000000000099", nickname: "MEE6" },
};

/** The channels of the hand-built export: id, name, thread parent, rows. */
export const HAND_CHANNELS: {
  id: string;
  name: string;
  parent?: string;
  rows: Row[];
}[] = [
  {
    id: "820000000000000001",
    name: "python-help",
    rows: [
      { id: "900000000000000101", at: 0, who: "jjwalker", text: "", type: "GuildMemberJoin" },
      {
        id: "900000000000000102",
        at: 3,
        who: "jjwalker",
        text:
          "hey all, pandas keeps giving me SettingWithCopyWarning when I filter then assign. how do I get rid of it",
        label: "question",
      },
      {
        id: "900000000000000103",
        at: 9,
        who: "dev_tom",
        text: "use .loc on the original frame, or call .copy() after the filter",
        ref: "900000000000000102",
        label: "answer",
        answers: "900000000000000102",
      },
      {
        id: "900000000000000104",
        at: 10,
        who: "carlos_analyst",
        text: "+1, mine does that too lol",
        ref: "900000000000000102",
        label: "comment",
      },
      {
        id: "900000000000000105",
        at: 12,
        who: "jjwalker",
        text: "that worked, thanks!!",
        ref: "900000000000000103",
        label: "comment",
      },
      { id: "900000000000000106", at: 13, who: "jjwalker", text: "", attachments: 1 },
      {
        id: "900000000000000107",
        at: 40,
        who: "MEE6",
        text: "GG @jjwalker, you just advanced to level 3!",
        bot: true,
      },
      {
        id: "900000000000000108",
        at: 95,
        who: "priya.sql",
        text: "Is there a way to read a 4GB csv without running out of memory?",
        label: "question",
      },
      {
        id: "900000000000000109",
        at: 96,
        who: "priya.sql",
        text: "Started a thread.",
        type: "ThreadCreated",
      },
      {
        id: "900000000000000110",
        at: 300,
        who: "maya_codes",
        text: "anyone know why my jupyter kernel dies when I import tensorflow",
        label: "question",
      },
      {
        id: "900000000000000111",
        at: 302,
        who: "carlos_analyst",
        text: "no idea, never used tf",
        label: "comment",
      },
      {
        id: "900000000000000112",
        at: 330,
        who: "dev_tom",
        text:
          "@Maya probably the kernel runs out of RAM, try a smaller batch or restart with more memory",
        mentions: ["maya_codes"],
        label: "answer",
        answers: "900000000000000110",
      },
      {
        id: "900000000000000113",
        at: 331,
        who: "dev_tom",
        text: "pinned a message",
        type: "ChannelPinnedMessage",
      },
      {
        id: "900000000000000114",
        at: 600,
        who: "carlos_analyst",
        text: "what's the difference between apply and map in pandas?",
        label: "question",
      },
      {
        id: "900000000000000115",
        at: 601,
        who: "carlos_analyst",
        text: "polls are fun",
        type: "PollResult",
      },
    ],
  },
  {
    id: "900000000000000108",
    name: "Is there a way to read a 4GB csv",
    parent: "python-help",
    rows: [
      {
        id: "900000000000000201",
        at: 100,
        who: "dev_tom",
        text: "read it in chunks: pd.read_csv(path, chunksize=100_000) and aggregate as you go",
        label: "answer",
        answers: "900000000000000108",
      },
      {
        id: "900000000000000202",
        at: 104,
        who: "priya.sql",
        text: "oh nice I didn't know that existed",
        label: "comment",
      },
      {
        id: "900000000000000203",
        at: 110,
        who: "maya_codes",
        text: "duckdb can also query the csv directly without loading it",
        label: "answer",
        answers: "900000000000000108",
      },
    ],
  },
  {
    id: "820000000000000002",
    name: "job-search-support",
    rows: [
      {
        id: "900000000000000301",
        at: 1440,
        who: "maya_codes",
        text: "got rejected again after the final round 😩",
        label: "comment",
      },
      {
        id: "900000000000000302",
        at: 1442,
        who: "priya.sql",
        text: "ugh sorry, that's rough",
        ref: "900000000000000301",
        label: "comment",
      },
      {
        id: "900000000000000303",
        at: 1450,
        who: "maya_codes",
        text: "do recruiters actually read cover letters for analyst roles",
        label: "question",
      },
      {
        id: "900000000000000304",
        at: 1458,
        who: "carlos_analyst",
        text: "in my experience almost never, they skim the resume for 10 seconds",
        label: "answer",
        answers: "900000000000000303",
      },
      {
        id: "900000000000000304",
        at: 1458,
        who: "carlos_analyst",
        text: "in my experience almost never, they skim the resume for 10 seconds",
      },
      {
        id: "900000000000000305",
        at: 1500,
        who: "jjwalker",
        text: "replying to something that got deleted: yes that's what I meant",
        ref: "900000000000000999",
        label: "comment",
      },
      {
        id: "900000000000000306",
        at: 2000,
        who: "jjwalker",
        text: "how many projects should be on my portfolio before I start applying?",
        label: "question",
      },
      {
        id: "900000000000000307",
        at: 2900,
        who: "dev_tom",
        text: "Should I learn Power BI or Tableau first?",
        label: "question",
      },
    ],
  },
  { id: "820000000000000003", name: "announcements", rows: [] },
];

/** The truth of the hand-built export. */
export function handTruth(): { labels: Map<string, string>; answers: Map<string, string> } {
  const labels = new Map<string, string>();
  const answers = new Map<string, string>();
  for (const channel of HAND_CHANNELS) {
    for (const row of channel.rows) {
      if (row.label && !labels.has(row.id)) labels.set(row.id, row.label);
      if (row.answers) answers.set(row.id, row.answers);
    }
  }
  return { labels, answers };
}

const START = Date.UTC(2024, 2, 4, 9, 0, 0);

function author(name: string, bot = false) {
  const who = PEOPLE[name]!;
  return {
    id: who.id,
    name,
    discriminator: "0000",
    nickname: who.nickname,
    color: "#FFFFFF",
    isBot: bot,
    roles: [],
    avatarUrl: "https://cdn.discordapp.com/embed/avatars/0.png",
  };
}

/** The DCE JSON text of one hand-built channel. */
export function handChannelJson(channel: (typeof HAND_CHANNELS)[number]): string {
  const messages = channel.rows.map((r) => ({
    id: r.id,
    type: r.type ?? (r.ref ? "Reply" : "Default"),
    timestamp: new Date(START + r.at * 60_000).toISOString().replace("Z", "+00:00"),
    timestampEdited: null,
    callEndedTimestamp: null,
    isPinned: false,
    content: r.text,
    author: author(r.who, r.bot),
    attachments: Array.from({ length: r.attachments ?? 0 }, (_, i) => ({
      id: `${r.id}${i}`,
      url: "https://cdn.discordapp.com/attachments/x/screenshot.png",
      fileName: "screenshot.png",
      fileSizeBytes: 48213,
    })),
    embeds: [],
    stickers: [],
    reactions: [],
    mentions: (r.mentions ?? []).map((m) => ({
      id: PEOPLE[m]!.id,
      name: m,
      discriminator: "0000",
      nickname: PEOPLE[m]!.nickname,
      isBot: false,
    })),
    ...(r.ref
      ? { reference: { messageId: r.ref, channelId: channel.id, guildId: HAND_GUILD.id } }
      : {}),
  }));
  return JSON.stringify(
    {
      guild: { ...HAND_GUILD, iconUrl: "" },
      channel: {
        id: channel.id,
        type: channel.parent ? "GuildPublicThread" : "GuildTextChat",
        categoryId: channel.parent ? "820000000000000001" : "830000000000000001",
        category: channel.parent ?? "Help",
        name: channel.name,
        topic: null,
      },
      dateRange: { after: null, before: null },
      exportedAt: "2024-03-10T12:00:00+00:00",
      messages,
      messageCount: messages.length,
    },
    null,
    2,
  );
}

/** Writes the hand-built export (one file per channel and thread, DCE names) into `dir`. */
export async function writeHandExport(dir: string): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const channel of HAND_CHANNELS) {
    const path = join(
      dir,
      `${HAND_GUILD.name} - ${channel.parent ?? "Help"} - ${channel.name} [${channel.id}].json`,
    );
    await Deno.writeTextFile(path, handChannelJson(channel));
    paths.push(path);
  }
  return paths;
}
