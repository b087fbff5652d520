/**
 * The two benchmarks' own text metrics, mirrored exactly so scores compare with published ones.
 */

/**
 * Python's `\w` on str (re.UNICODE): letters, digits (every numeric category) and underscore.
 * Python lower-cases with str.lower(); JavaScript's toLowerCase() agrees on every script these
 * corpora use.
 */
const PYTHON_WORD = /[\p{L}\p{N}_]+/gu;
const tokens = (text) => (text ?? "").match(PYTHON_WORD) ?? [];

function counts(items) {
  const map = new Map();
  for (const item of items) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
}

/**
 * WCXB `evaluate.py` (github.com/Murrough-Foley/web-content-extraction-benchmark):
 *
 *   def tokenize(text): return re.findall(r'\w+', text.lower())
 *   def word_f1(predicted, reference):
 *       if not ref_tokens: return (1.0, 1.0, 1.0) if not pred_tokens else (0.0, 0.0, 0.0)
 *       if not pred_tokens: return (0.0, 0.0, 0.0)
 *       overlap = sum((Counter(pred_tokens) & Counter(ref_tokens)).values())
 *       precision = overlap / len(pred_tokens); recall = overlap / len(ref_tokens)
 *       f1 = 2 * precision * recall / (precision + recall) if (precision + recall) > 0 else 0.0
 *
 * and the reported score is the plain mean of each page's precision, recall and F1.
 */
export function wcxbWordScores(predicted, reference) {
  const predictedTokens = tokens((predicted ?? "").toLowerCase());
  const referenceTokens = tokens((reference ?? "").toLowerCase());
  if (referenceTokens.length === 0) {
    const score = predictedTokens.length === 0 ? 1 : 0;
    return { precision: score, recall: score, f1: score };
  }
  if (predictedTokens.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const left = counts(referenceTokens);
  let overlap = 0;
  for (const token of predictedTokens) {
    const remaining = left.get(token) ?? 0;
    if (remaining > 0) {
      overlap++;
      left.set(token, remaining - 1);
    }
  }
  const precision = overlap / predictedTokens.length;
  const recall = overlap / referenceTokens.length;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** WCXB's summary: the mean of the per-page numbers. */
export function wcxbSummary(pageScores) {
  const mean = (key) => pageScores.reduce((sum, page) => sum + page[key], 0) / (pageScores.length || 1);
  return { pages: pageScores.length, precision: mean("precision"), recall: mean("recall"), f1: mean("f1") };
}

/**
 * Scrapinghub AEB `evaluate.py` (github.com/scrapinghub/article-extraction-benchmark),
 * `string_shingle_matching(true, pred, ngram_n=4)`: tokens are `re.findall(r'\w+', text)` with
 * case kept (IGNORECASE does not fold a findall), shingles are the tuples tokens[i:i+4] for i in
 * range(max(1, len - 3)) (so a text under four tokens is one short shingle), counted as multisets;
 * tp/fp/fn are min/excess counts, then divided by their sum "so that longer texts do not have
 * more weight".
 */
export function aebShingleCounts(reference, predicted) {
  const shingles = (text) => {
    const words = tokens(text);
    const result = [];
    for (let i = 0; i < Math.max(1, words.length - 3); i++) {
      const shingle = words.slice(i, i + 4);
      if (shingle.length > 0) result.push(shingle.join("\u0000"));
    }
    return counts(result);
  };
  const truth = shingles(reference);
  const prediction = shingles(predicted);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const key of new Set([...truth.keys(), ...prediction.keys()])) {
    const trueCount = truth.get(key) ?? 0;
    const predictedCount = prediction.get(key) ?? 0;
    tp += Math.min(trueCount, predictedCount);
    fp += Math.max(0, predictedCount - trueCount);
    fn += Math.max(0, trueCount - predictedCount);
  }
  const sum = tp + fp + fn;
  return sum > 0 ? { tp: tp / sum, fp: fp / sum, fn: fn / sum } : { tp, fp, fn };
}

/** The page's precision and recall as AEB's precision_score/recall_score define them. */
export function aebPagePrecisionRecall({ tp, fp, fn }) {
  const both = fp === 0 && fn === 0;
  return {
    precision: both ? 1 : tp === 0 && fp === 0 ? 0 : tp / (tp + fp),
    recall: both ? 1 : tp === 0 && fn === 0 ? 0 : tp / (tp + fn),
  };
}

/**
 * AEB `metrics_from_tp_fp_fns`: precision averaged over pages with tp + fp > 0, recall over pages
 * with tp + fn > 0, and F1 from those two means (not a mean of page F1s).
 */
export function aebSummary(pageCounts) {
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / (values.length || 1);
  const precision = mean(
    pageCounts.filter(({ tp, fp }) => tp + fp > 0).map((page) => aebPagePrecisionRecall(page).precision),
  );
  const recall = mean(
    pageCounts.filter(({ tp, fn }) => tp + fn > 0).map((page) => aebPagePrecisionRecall(page).recall),
  );
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { pages: pageCounts.length, precision, recall, f1 };
}

/** The value at share `q` (0–1) of an ascending list of timings; NaN for an empty one. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
