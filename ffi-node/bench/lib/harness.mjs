// Interleaved A/B timing: candidate and baseline alternate round by round
// (ABBA order, so neither side always runs first after a GC or a context
// switch), and each side's figure is the median of its rounds. On a shared
// 2-core machine absolute times drift; ratios measured this way do not
// drift much, because both sides see the same background load.

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const now = () => process.hrtime.bigint()
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {}

/**
 * Interleaves every entry of `fns` (name -> fn(i), sync or async) over
 * `rounds` rounds of `ops` calls, rotating which runs first, after `warmup`
 * calls of each. Returns the ns/op medians of wall time and of CPU time (all
 * threads of the process) by name, and prints the wall medians under
 * `title` unless it is null (the diagnosis and comparison scripts' tables).
 */
export async function interleavedTable(title, fns, { ops, rounds = 9, warmup = ops }) {
  const names = Object.keys(fns)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  const cpuSamples = Object.fromEntries(names.map((n) => [n, []]))
  for (const n of names) for (let i = 0; i < warmup; i++) await fns[n](i)
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(r + k) % names.length]
      const fn = fns[n]
      gc()
      const c0 = process.cpuUsage()
      const t0 = now()
      const res = fn(0)
      if (res instanceof Promise) {
        await res
        for (let i = 1; i < ops; i++) await fn(i)
      } else {
        for (let i = 1; i < ops; i++) fn(i)
      }
      samples[n].push(Number(now() - t0) / ops)
      const c = process.cpuUsage(c0)
      cpuSamples[n].push(((c.user + c.system) * 1000) / ops)
    }
  }
  const medians = Object.fromEntries(names.map((n) => [n, median(samples[n])]))
  const cpu = Object.fromEntries(names.map((n) => [n, median(cpuSamples[n])]))
  if (title !== null) {
    console.log(`\n${title}`)
    for (const n of names) console.log(`  ${medians[n].toFixed(0).padStart(9)} ns  ${n}`)
  }
  return { medians, cpu }
}

/** Runs `fn` `ops` times (sync); ns per op. */
function timeSync(fn, ops) {
  const t0 = now()
  for (let i = 0; i < ops; i++) fn(i)
  return Number(now() - t0) / ops
}

/** Runs `await fn()` `ops` times in sequence; ns per op. */
async function timeAsync(fn, ops) {
  const t0 = now()
  for (let i = 0; i < ops; i++) await fn(i)
  return Number(now() - t0) / ops
}

/**
 * Per-operation micro-benchmark. `candidate`/`baseline` take the loop index
 * (use it to rotate over prepared inputs). Each round times one batch of
 * `ops` calls of each side. Returns medians in ns/op and the per-round
 * samples.
 */
export async function interleavedOps({ candidate, baseline, ops, rounds, warmup = ops, async: isAsync = false }) {
  const time = isAsync ? timeAsync : (fn, n) => Promise.resolve(timeSync(fn, n))
  await time(candidate, warmup)
  await time(baseline, warmup)
  const c = []
  const b = []
  for (let r = 0; r < rounds; r++) {
    gc()
    if (r % 2 === 0) {
      c.push(await time(candidate, ops))
      b.push(await time(baseline, ops))
    } else {
      b.push(await time(baseline, ops))
      c.push(await time(candidate, ops))
    }
  }
  return summarize(c, b)
}

function summarize(c, b) {
  const cm = median(c)
  const bm = median(b)
  const pairRatios = c.map((x, i) => b[i] / x)
  return {
    candidate_median_ns: cm,
    baseline_median_ns: bm,
    ratio: bm / cm,
    pair_ratio_min: Math.min(...pairRatios),
    pair_ratio_max: Math.max(...pairRatios),
    rounds: c.length,
    candidate_samples_ns: c,
    baseline_samples_ns: b,
  }
}

/**
 * Several whole-run functions measured in the same rounds: each round runs
 * every function once, starting at a rotating position, so each one sees
 * every slot of the round in turn. Returns per-name samples (ns) and
 * CPU-time/wall-time ratios ("cores busy"). `check(name, result)` runs
 * outside the timed region.
 */
export async function interleavedGroup(fns, { rounds, check = () => {} }) {
  const names = Object.keys(fns)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  const cores = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]
      gc()
      const cpu0 = process.cpuUsage()
      const t0 = now()
      const result = await fns[name]()
      const ns = Number(now() - t0)
      const cpu = process.cpuUsage(cpu0)
      samples[name].push(ns)
      cores[name].push(((cpu.user + cpu.system) * 1000) / ns)
      check(name, result)
    }
  }
  return { samples, cores }
}

/** Pairs two sample lists of interleavedGroup into a result row's figures. */
export function pair(group, candidate, baseline) {
  const c = group.samples[candidate]
  const b = group.samples[baseline]
  const s = summarize(c, b)
  return { ...s, candidate_cores: median(group.cores[candidate]), baseline_cores: median(group.cores[baseline]) }
}
