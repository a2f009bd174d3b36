/**
 * The rate frames are decoded at and handed to the processors: the source's own rate, capped at
 * the output rate. A 5 fps clip is decoded, piped and processed 5 times a second, not 30: the
 * encoder duplicates frames up to the output rate.
 * The source rate is the probed average (3 decimals), so a variable-rate source is evened out
 * to it while decoding.
 */
export class DecodeRate {
  /** Decoded frames per second as the fraction `num/den`. */
  readonly num: number
  readonly den: number
  /** The output rate (as a fraction) the encoder duplicates up to. */
  readonly output: { num: number; den: number }

  constructor(sourceFps: number | undefined, outputFps: number) {
    this.output = fraction(outputFps)
    const source =
      sourceFps && Number.isFinite(sourceFps) && sourceFps > 0 ? fraction(sourceFps) : this.output
    // Capped at the output rate: a faster source is thinned while decoding, as before.
    const rate = source.num * this.output.den >= this.output.num * source.den ? this.output : source
    this.num = rate.num
    this.den = rate.den
  }

  get fps() {
    return this.num / this.den
  }

  /** True when the encoder must duplicate frames up to the output rate. */
  get duplicates() {
    return this.num * this.output.den !== this.output.num * this.den
  }

  /** For ffmpeg's `-r` and the fps filter. */
  toString() {
    return this.den === 1 ? String(this.num) : `${this.num}/${this.den}`
  }

  /** When decoded frame `index` is shown, in milliseconds from the start. */
  timeMs(index: number) {
    return Math.round((index * 1000 * this.den) / this.num)
  }

  /**
   * The first output frame showing decoded frame `index`; for `index` = the number of decoded
   * frames, the number of output frames. ffmpeg's fps filter puts each frame at its timestamp in
   * output frames rounded to the nearest (halves up) and repeats it until the next one; the end
   * of the stream counts as one more frame (checked against ffmpeg for 1–29.97 fps sources).
   */
  outputIndex(index: number) {
    const scale = this.output.num * this.den
    const unit = this.output.den * this.num
    return Math.floor((2 * index * scale + unit) / (2 * unit))
  }
}

/** A rate to 3 decimals as a reduced fraction (what ffmpeg makes of "29.97" too). */
function fraction(fps: number) {
  const num = Math.max(1, Math.round(fps * 1000))
  const divisor = gcd(num, 1000)
  return { num: num / divisor, den: 1000 / divisor }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}
