/**
 * Acceptance experiment (issue 6): exact and near duplicates within the SpamAssassin corpus and
 * across its canonical train/test split. Exact: SHA-256 of the body; near: MinHash (128 values,
 * 32 bands × 4) + LSH over word 3-shingles, verified by Jaccard similarity >= 0.8.
 * `npx tsx examples/data/duplicates-spam.ts [--threshold 0.8]`
 */
import { cleaning, datasets } from '../../src/index.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--threshold');
const threshold = i >= 0 ? Number(argv[i + 1]) : 0.8;
const t0 = Date.now();
const { xTrain, xTest, yTrain, yTest } = datasets.spamAssassin();
const all = [...xTrain, ...xTest];
const labels = [...yTrain.data, ...yTest.data];

const extra = (groups: number[][]) => groups.reduce((s, g) => s + g.length - 1, 0);
const exactAll = cleaning.exactDuplicates(all);
const exactTrain = cleaning.exactDuplicates(xTrain);
const exactTest = cleaning.exactDuplicates(xTest);
const cross = cleaning.crossDuplicates(xTrain, xTest);
const crossTest = new Set(cross.map(([, j]) => j));
const conflicting = exactAll.filter((g) => new Set(g.map((k) => labels[k])).size > 1).length;
console.log(`emails: ${all.length} (${xTrain.length} train, ${xTest.length} test)`);
console.log(
  `exact duplicates, whole corpus: ${exactAll.length} groups, ${extra(exactAll)} redundant copies; ${conflicting} groups with conflicting labels`,
);
console.log(
  `exact duplicates within train: ${exactTrain.length} groups, ${extra(exactTrain)} copies; within test: ${exactTest.length} groups, ${extra(exactTest)} copies`,
);
console.log(
  `exact train/test leakage: ${crossTest.size} of ${xTest.length} test emails (${((100 * crossTest.size) / xTest.length).toFixed(1)}%) have an identical training email`,
);

const near = cleaning.nearDuplicateTexts(all, null, { threshold });
const nearOnly = near.filter((p) => p.similarity < 1);
const nearCross = cleaning.nearDuplicateTexts(xTrain, xTest, { threshold });
const nearCrossTest = new Set(nearCross.map((p) => p.j));
const nearCrossOnly = new Set(nearCross.filter((p) => !crossTest.has(p.j)).map((p) => p.j));
const inNear = new Set(near.flatMap((p) => [p.i, p.j]));
console.log(
  `near duplicates (Jaccard >= ${threshold}), whole corpus: ${near.length} pairs (${nearOnly.length} not identical) touching ${inNear.size} emails`,
);
console.log(
  `near train/test leakage: ${nearCrossTest.size} of ${xTest.length} test emails (${((100 * nearCrossTest.size) / xTest.length).toFixed(1)}%) have a training email with Jaccard >= ${threshold}; ${nearCrossOnly.size} of them are not exact copies`,
);
console.log(`time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
