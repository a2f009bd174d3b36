/**
 * What a piece of text read on a frame is, for deciding what to blur: a shirt number or bib,
 * a name on a person's kit, or something else (a sponsor, a team, a sign, noise).
 *
 * A name is decided from what the recogniser read and where it sits, never from a list of
 * names (no list covers a league's players, and a list of common ones would leave the rare
 * ones readable). Why these cues, and what they get wrong:
 *
 * - Kit lettering prints names in capitals (football, baseball, basketball, hockey backs,
 *   cycling and name tags), while brands and team scripts keep their logo's case ("Jeep",
 *   "unicef", "Phillies", "adidas"). So a name is one or two words of Latin letters, mostly
 *   capitals. A name printed in mixed case is missed; an all-capitals brand passes this test.
 * - A name sits on the body, from the shoulders down to the waist (the back band above the
 *   number, or a chest tag), and is narrower than the body. Text on legs and arms (sleeve and
 *   shorts sponsors, a country on a ski suit), text wider than the person (a board behind),
 *   and text on nobody (boards, signs, a watermark) is not. A player no person detector finds
 *   (a back cut by the frame edge) still counts when the word sits right above a number:
 *   the layout of a shirt's back.
 * - Position alone cannot tell a back name from a chest sponsor: both are a capitals word
 *   centred on the upper torso, above a number. What can is that a sponsor or team word is on
 *   every shirt of the team and a name on one: the same word read on two places of one frame
 *   is not a name, and is remembered as such for the rest of the clip (`common`). One player
 *   alone in view with a capitals sponsor has it blurred as a name; that errs on the safe side.
 */
import type { Box } from '../types.js'
import type { TextMode } from '../settings.js'

export type TextKind = 'number' | 'name' | 'other'

/** One reading of a detected text box: what it says, how sure the recogniser was, where it is. */
export interface Reading extends Box {
  text: string
  /** Mean character confidence of the recogniser (0 when it read nothing). */
  textScore: number
  /** The detector's box score. */
  score: number
}

/** Characters the recogniser confuses with digits on sports kit (stylised fonts, folds). */
const DIGIT_LOOKALIKES = new Set('OoDQIl|i!jJZzSs$BGbqgAT'.split(''))

/**
 * Whether a reading looks like a shirt number or bib: it has a digit, or is at most four
 * characters that are all digits or digit look-alikes ("B" for 8, "O" for 0).
 */
export function numberLike(text: string) {
  const compact = text.replace(/[\s.,:;'"\-_]/g, '')
  if (/\d/.test(compact)) return true
  return (
    compact.length > 0 &&
    compact.length <= 4 &&
    [...compact].every((char) => DIGIT_LOOKALIKES.has(char))
  )
}

/**
 * Letters drawn the same in both cases: the recogniser's choice of case for them says nothing
 * about whether the word was printed in capitals.
 */
const SAME_IN_BOTH_CASES = new Set('cosuvwxzCOSUVWXZ'.split(''))
/** Least share of capitals among the letters whose case shows. */
const CAPITALS_SHARE = 0.75
/** A name's letters (initials left out): a shorter reading is a fragment, a longer one a line of text. */
const NAME_LETTERS = { min: 3, max: 20 }
/** Below this mean confidence the recogniser is guessing letters on a fold or a logo. */
const NAME_MIN_TEXT_SCORE = 0.5
/** A word or two, as printed above a number or on a tag; initials ("M.") do not count. */
const NAME_MAX_WORDS = 2

/**
 * Whether a reading looks like a name printed on kit: one or two words of Latin letters
 * (hyphens, apostrophes and inner dots allowed, initials extra), 3–20 letters, mostly
 * capitals. Only the text: where it sits is `onTorso`'s and `classifyReadings`' business.
 */
export function nameLike(text: string) {
  const words = text
    .trim()
    .replace(/^[\s.,:;'"\-_]+|[\s,:;'"\-_]+$/g, '')
    .split(/\s+/)
    .filter(Boolean)
  const initial = /^\p{Lu}\.?$/u
  const full = words.filter((word) => !initial.test(word))
  if (full.length === 0 || full.length > NAME_MAX_WORDS) return false
  if (!words.every((word) => /^\p{Script=Latin}[\p{Script=Latin}'’.\-]*$/u.test(word))) return false
  const letters = [...words.join('')].filter((char) => /\p{Script=Latin}/u.test(char))
  if (letters.length < NAME_LETTERS.min || letters.length > NAME_LETTERS.max) return false
  const cased = letters.filter((char) => !SAME_IN_BOTH_CASES.has(char))
  if (cased.length === 0) return true
  return cased.filter((char) => char === char.toUpperCase()).length / cased.length >= CAPITALS_SHARE
}

/**
 * The part of a person box where a name is worn, as fractions of the box: shoulders to waist
 * vertically (a back name starts just under the collar; the box may end at the frame's edge
 * or at the waist, in a crowd), the body's width less the arms.
 */
const TORSO = { top: 0.05, bottom: 0.75, left: 0.1, right: 0.9 }
/** Text wider than this share of the person is not on them (a board or sign behind). */
const TORSO_MAX_WIDTH = 0.9

/** Whether `text` sits where a name is worn on `person` (its centre in the torso band, narrower than the body). */
export function onTorso(text: Box, person: Box) {
  const cx = (text.x + text.width / 2 - person.x) / person.width
  const cy = (text.y + text.height / 2 - person.y) / person.height
  return (
    cx >= TORSO.left &&
    cx <= TORSO.right &&
    cy >= TORSO.top &&
    cy <= TORSO.bottom &&
    text.width <= TORSO_MAX_WIDTH * person.width
  )
}

/**
 * Whether `number` sits right under `name`, as a shirt's back has them: its centre within the
 * name's width, its top at most two name heights below the name's bottom (boxes are padded and
 * may overlap), and not above the name's centre.
 */
export function aboveNumber(name: Box, number: Box) {
  const cx = number.x + number.width / 2
  const cy = number.y + number.height / 2
  return (
    cx >= name.x &&
    cx <= name.x + name.width &&
    cy > name.y + name.height / 2 &&
    number.y <= name.y + name.height * 3
  )
}

/** A word's letters in capitals, without spaces or marks: what two readings of one word share. */
export function wordKey(text: string) {
  return [...text.toUpperCase()].filter((char) => /\p{Script=Latin}/u.test(char)).join('')
}

/**
 * Whether two word keys are one word read twice: the recogniser drops, adds or swaps a letter
 * or two of a sponsor's word from one shirt to the next ("VIEBMANN", "VIEMAN", "VIMAN"), so up
 * to a letter in four may differ. A word that merely extends the other (MARTIN, MARTINEZ) is
 * another word: two players' names are more often alike that way, and a truncated reading
 * taken apart from its word is only blurred the more.
 */
export function sameWord(a: string, b: string) {
  if (a === b) return a.length > 0
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a]
  if (shorter.length < 4 || longer.startsWith(shorter)) return false
  return editDistance(a, b) <= Math.max(1, Math.floor(longer.length / 4))
}

function editDistance(a: string, b: string) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
    }
    previous = current
  }
  return previous[b.length]
}

function intersects(a: Box, b: Box) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/**
 * An unsure or empty reading of a short, clearly detected blob: a number in a stylised font or
 * at an angle is more likely than a logo, and missing it costs more.
 */
function unsureNumber(reading: Reading) {
  return reading.text.length <= 3 && reading.textScore < 0.8 && reading.score >= 0.7
}

export interface Classified {
  /** One kind per reading, in order. */
  kinds: TextKind[]
  /** Word keys of name-like words read on two places of this frame: team or sponsor words. */
  repeated: string[]
}

/**
 * The kind of each reading of one frame, given the people in it (`people`, frame pixels) and
 * the words already known to be on several people (`common`, word keys). Pure: the same
 * readings, people and words give the same kinds.
 */
export function classifyReadings(
  readings: readonly Reading[],
  people: readonly Box[],
  common: Iterable<string> = []
): Classified {
  const known = [...common]
  const numbers = readings.map((reading) => numberLike(reading.text) || unsureNumber(reading))
  const candidates = readings.map(
    (reading, i) =>
      !numbers[i] && reading.textScore >= NAME_MIN_TEXT_SCORE && nameLike(reading.text)
  )
  const keys = readings.map((reading) => wordKey(reading.text))
  const repeated = new Set<string>()
  const kinds = readings.map((reading, i): TextKind => {
    if (numbers[i]) return 'number'
    if (!candidates[i]) return 'other'
    if (known.some((word) => sameWord(word, keys[i]))) return 'other'
    const twin = readings.findIndex(
      (other, j) =>
        j !== i && candidates[j] && sameWord(keys[i], keys[j]) && !intersects(reading, other)
    )
    if (twin !== -1) {
      repeated.add(keys[i])
      return 'other'
    }
    const worn = people.some((person) => onTorso(reading, person))
    const overNumber = readings.some((other, j) => numbers[j] && aboveNumber(reading, other))
    return worn || overNumber ? 'name' : 'other'
  })
  return { kinds, repeated: [...repeated] }
}

/** Whether text of `kind` is blurred in `mode`: numbers always, names unless only numbers are, everything in `all`. */
export function blurredIn(mode: TextMode, kind: TextKind) {
  if (mode === 'all') return true
  if (mode === 'identifying') return kind !== 'other'
  return kind === 'number'
}
