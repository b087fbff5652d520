/**
 * Monthly cost of Redline at Cloudflare's published prices (Workers Paid plan), from the
 * resources the scale benchmark measured per check. docs/benchmarks.md cites the price pages.
 */

/** Workers Paid (Standard usage model) prices and monthly inclusions. */
export const PRICES = {
  asOf: "2026-12-01",
  sources: [
    "https://developers.cloudflare.com/workers/platform/pricing/",
    "https://developers.cloudflare.com/d1/platform/pricing/",
    "https://developers.cloudflare.com/kv/platform/pricing/",
    "https://developers.cloudflare.com/queues/platform/pricing/",
  ],
  base: 5,
  requests: { included: 10e6, perMillion: 0.3 },
  cpuMs: { included: 30e6, perMillion: 0.02 },
  d1RowsRead: { included: 25e9, perMillion: 0.001 },
  d1RowsWritten: { included: 50e6, perMillion: 1 },
  d1StorageGb: { included: 5, perGbMonth: 0.75 },
  kvReads: { included: 10e6, perMillion: 0.5 },
  kvWrites: { included: 1e6, perMillion: 5 },
  kvStorageGb: { included: 1, perGbMonth: 0.5 },
  queueOps: { included: 1e6, perMillion: 0.4 },
};

const overage = (used, { included, perMillion }) => (Math.max(0, used - included) / 1e6) * perMillion;
const storage = (gb, { included, perGbMonth }) => Math.max(0, gb - included) * perGbMonth;

/**
 * Checks one URL gets in a 30-day month by the schedule (src/scheduling): every 15 min for 3 h
 * after the last change (12), hourly to a day (21), every 3 h to a week (48), every 3 days to
 * 30 days (8), then every 30 days (1). `firstDay`: the checks the simulated day measured per
 * article on its first day (edits restart the 15-minute cadence, so it is above 33).
 */
export function checksPerUrlMonth(firstDay) {
  return { fresh: firstDay + 48 + 8, archive: 1 };
}

export const formatUsd = (value) => (value < 0.005 ? "$0" : value < 100 ? `$${value.toFixed(2)}` : `$${Math.round(value).toLocaleString("en-US")}`);

/**
 * One month for `urls` tracked URLs, `freshShare` of them in their first 30 days, the rest older.
 * `perCheck`: measured resources per check (rows, KV operations, queue messages, Worker
 * invocations, CPU ms); `sizes`: D1 bytes per article, KV bytes per version; `versionsPerCheck`:
 * new versions per check measured.
 */
export function monthlyCost({ urls, freshShare, perCheck, firstDay, sizes, versionsPerCheck }) {
  const perUrl = checksPerUrlMonth(firstDay);
  const checks = urls * (freshShare * perUrl.fresh + (1 - freshShare) * perUrl.archive);
  const cronInvocations = 96 * 30;
  const requests = cronInvocations + checks * perCheck.invocations;
  const cpuMs = checks * perCheck.cpuMs;
  const versions = urls + checks * versionsPerCheck;
  const d1Gb = (urls * sizes.dbBytesPerArticle) / 1e9;
  const kvGb = (versions * sizes.kvBytesPerVersion) / 1e9;
  const queueOps = 3 * checks * perCheck.queueMessages;
  const lines = {
    workers: PRICES.base + overage(requests, PRICES.requests) + overage(cpuMs, PRICES.cpuMs),
    d1: overage(checks * perCheck.rowsRead, PRICES.d1RowsRead) + overage(checks * perCheck.rowsWritten, PRICES.d1RowsWritten) + storage(d1Gb, PRICES.d1StorageGb),
    kv: overage(checks * perCheck.kvReads, PRICES.kvReads) + overage(checks * perCheck.kvWrites, PRICES.kvWrites) + storage(kvGb, PRICES.kvStorageGb),
    queues: overage(queueOps, PRICES.queueOps),
  };
  return {
    checks,
    requests,
    cpuMs,
    rowsRead: checks * perCheck.rowsRead,
    rowsWritten: checks * perCheck.rowsWritten,
    kvReads: checks * perCheck.kvReads,
    kvWrites: checks * perCheck.kvWrites,
    queueOps,
    d1Gb,
    kvGb,
    lines,
    total: lines.workers + lines.d1 + lines.kv + lines.queues,
  };
}

/** The cost table the benchmark prints: 10k, 100k and 1M URLs, each all fresh, a newsroom mix, and all archive. */
export function costTable(perCheck, result) {
  // A bulk-loaded size plays only a few ticks of old articles: its first day is the schedule's 33.
  const firstDay = result.bulk ? 33 : perCheck.checks / result.tracked;
  const versionsPerCheck = (result.outcomes?.["new-version"] ?? 0) / perCheck.checks;
  const sizes = result.storage;
  const scenarios = [
    { name: "all in their first month", freshShare: 1 },
    { name: "newsroom: 10% new this month", freshShare: 0.1 },
    { name: "archive: all older than 30 days", freshShare: 0 },
  ];
  const m = (value) => `${(value / 1e6).toLocaleString("en-US", { maximumFractionDigits: value < 1e7 ? 2 : 0 })} M`;
  const rows = [];
  for (const urls of [10_000, 100_000, 1_000_000]) {
    for (const scenario of scenarios) {
      const cost = monthlyCost({ urls, freshShare: scenario.freshShare, perCheck, firstDay, sizes, versionsPerCheck });
      rows.push([
        urls.toLocaleString("en-US"),
        scenario.name,
        m(cost.checks),
        `${m(cost.requests)} / ${m(cost.cpuMs)} ms`,
        `${m(cost.rowsRead)} / ${m(cost.rowsWritten)} / ${cost.d1Gb.toFixed(2)} GB`,
        `${m(cost.kvReads)} / ${m(cost.kvWrites)} / ${cost.kvGb.toFixed(2)} GB`,
        m(cost.queueOps),
        formatUsd(cost.lines.workers),
        formatUsd(cost.lines.d1),
        formatUsd(cost.lines.kv),
        formatUsd(cost.lines.queues),
        `**${formatUsd(cost.total)}**`,
      ]);
    }
  }
  const header = ["URLs", "mix", "checks / month", "Worker requests / CPU", "D1 rows read / written / storage", "KV reads / writes / storage", "queue operations", "Workers", "D1", "KV", "Queues", "total / month"];
  const basis = [
    `Per check, measured: ${perCheck.rowsRead.toFixed(1)} D1 rows read, ${perCheck.rowsWritten.toFixed(2)} written, ${perCheck.kvReads.toFixed(3)} KV reads, ${perCheck.kvWrites.toFixed(3)} KV writes,`,
    `${perCheck.queueMessages.toFixed(3)} queue messages (3 operations each), ${perCheck.invocations.toFixed(3)} Worker invocations, ${perCheck.cpuMs.toFixed(1)} ms CPU (workerd's, an upper bound);`,
    `${firstDay.toFixed(1)} checks per article on its first day${result.bulk ? " (the schedule's, no edits: this size was bulk-loaded)" : ""}, so ${checksPerUrlMonth(firstDay).fresh.toFixed(0)} in its first month and 1 a month after;`,
    `${sizes.dbBytesPerArticle.toFixed(0)} D1 bytes per article, ${sizes.kvBytesPerVersion.toFixed(0)} KV bytes per version, ${(versionsPerCheck * 100).toFixed(2)}% of checks store a version; plus 2,880 cron invocations a month.`,
  ].join(" ");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
    basis,
  ].join("\n");
}
