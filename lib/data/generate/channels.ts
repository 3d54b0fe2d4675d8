/**
 * The server both generators write for: its channels and the class mix. Defined once here; the
 * built-in generator and the LLM prompts import them.
 * @module
 */

/** Share of each class among generated messages (any positive scale; normalised). */
export interface ClassMix {
  /** Weight of questions. */
  question: number;
  /** Weight of answers. */
  answer: number;
  /** Weight of comments. */
  comment: number;
}

/**
 * Default class mix: close to real chat, where most lines are comments (questions and answers
 * each about one line in seven; bench/QUALITY_LOG.md has the rounds that chose it).
 */
export const DEFAULT_MIX: Readonly<ClassMix> = { question: 0.15, answer: 0.15, comment: 0.7 };

/**
 * Channels of the server — the one definition both generators use: `traffic` is the channel's
 * relative share of all messages, `purpose` and `topics` brief the LLM, `questionWeight` scales
 * how question-heavy a channel is relative to the class mix. `hangout` marks the channels of
 * talk outside the help threads (introductions, off-topic), which the built-in generator writes
 * only with its `hangout` option.
 */
export const CHANNEL_INFO = {
  "general": {
    traffic: 0.3,
    purpose: "hanging out, banter, random chat about data work and life",
    topics: [
      "what everyone is working on this week",
      "a meme about Excel being the real database",
      "Monday mood and coffee",
      "someone's first week as a junior analyst",
      "whether AI will replace data analysts",
      "favourite keyboard shortcuts and IDEs",
      "a conference or meetup someone went to",
      "dark mode vs light mode in Jupyter",
      "someone finished a course and is celebrating",
      "weekend plans and burnout",
    ],
    questionWeight: 0.7,
  },
  "job-search-support": {
    traffic: 0.18,
    purpose: "job hunting: resumes, interviews, offers, rejections, networking",
    topics: [
      "resume review for a first data analyst role",
      "a take-home SQL assignment with a 48h deadline",
      "how to answer 'tell me about a project' in interviews",
      "salary negotiation for an entry-level offer",
      "getting ghosted after a final round",
      "LinkedIn outreach to hiring managers",
      "switching from teaching to data analytics",
      "whether a master's degree is worth it",
      "applying with no experience and a bootcamp certificate",
      "a technical screen with window functions",
    ],
    questionWeight: 1.3,
  },
  "content-creation": {
    traffic: 0.07,
    purpose: "people who post data content: LinkedIn posts, YouTube, blogs, newsletters",
    topics: [
      "what to post on LinkedIn as a beginner",
      "editing a first YouTube tutorial on pandas",
      "growing a data newsletter",
      "a post that went viral and the comments",
      "thumbnail and title ideas for a SQL video",
      "posting consistency and imposter syndrome",
      "choosing between Medium and a personal blog",
      "turning a Kaggle notebook into a post",
    ],
    questionWeight: 0.9,
  },
  "share-your-project": {
    traffic: 0.08,
    purpose: "people show portfolio projects and get feedback",
    topics: [
      "a Power BI dashboard of city bike rentals",
      "a Tableau viz of NBA stats",
      "a web scraper for job postings built with Python",
      "an end-to-end dbt + Airflow pipeline",
      "a churn prediction model in scikit-learn",
      "a Streamlit app for personal finance",
      "a SQL analysis of a pizza sales dataset",
      "a GitHub portfolio README",
    ],
    questionWeight: 0.8,
  },
  "resources": {
    traffic: 0.09,
    purpose: "sharing and asking for courses, books, datasets, cheat sheets",
    topics: [
      "free SQL practice sites",
      "best statistics book for beginners",
      "where to find messy real-world datasets",
      "Google Data Analytics certificate worth it",
      "a cheat sheet for pandas",
      "YouTube channels for learning Power BI",
      "Kaggle competitions for beginners",
      "interview prep question banks",
    ],
    questionWeight: 1.0,
  },
  "sql-help": {
    traffic: 0.14,
    purpose: "help with SQL queries and databases",
    topics: [
      "a LEFT JOIN returning duplicate rows",
      "GROUP BY error 'column must appear in the group by clause'",
      "window functions: ROW_NUMBER vs RANK",
      "pivoting rows to columns in Postgres",
      "a slow query and indexes",
      "CTE vs subquery",
      "NULLs breaking a WHERE filter",
      "date truncation to month in BigQuery",
      "deleting duplicate rows but keeping one",
      "installing MySQL on a Mac",
    ],
    questionWeight: 1.5,
  },
  "python-help": {
    traffic: 0.14,
    purpose: "help with Python, pandas, notebooks and environments",
    topics: [
      "pandas merge creating NaN columns",
      "SettingWithCopyWarning in pandas",
      "pip install fails in a virtual environment",
      "reading a huge CSV without running out of memory",
      "matplotlib plot not showing in a script",
      "a KeyError after groupby",
      "list comprehension vs for loop",
      "converting strings to datetime in pandas",
      "Jupyter kernel keeps dying",
      "apply() is slow, how to vectorise",
    ],
    questionWeight: 1.5,
  },
  "introductions": {
    traffic: 0.05,
    purpose:
      "newcomers say who they are and where they come from; others welcome them and ask where they're based, what they did before, what they're learning",
    topics: [
      "a teacher from ohio switching careers, two kids, studies at night",
      "a new grad in economics looking for study buddies",
      "a nurse learning sql on weekends",
      "someone back after a break, saying hi again",
      "a bootcamp student from lagos introducing themselves",
      "a retail manager who just started the google certificate",
    ],
    questionWeight: 0.6,
    hangout: true,
  },
  "off-topic": {
    traffic: 0.1,
    purpose:
      "anything but data: pets, food, shows, games, sports, weather, family, weekend plans, small talk",
    topics: [
      "weekend plans and who is working",
      "pets on keyboards and pet pictures",
      "what everyone is eating tonight",
      "a show everyone is watching and spoilers",
      "the weather where everyone lives",
      "kids, sleep and studying at night",
      "the game last night",
      "where everyone is from and time zones",
    ],
    questionWeight: 0.6,
    hangout: true,
  },
} as const satisfies Record<
  string,
  {
    traffic: number;
    purpose: string;
    topics: readonly string[];
    questionWeight: number;
    hangout?: boolean;
  }
>;

/** A channel name. */
export type Channel = keyof typeof CHANNEL_INFO;

/** The server's channels, as they appear in the `channel` column. */
export const CHANNELS: readonly Channel[] = Object.keys(CHANNEL_INFO) as Channel[];
