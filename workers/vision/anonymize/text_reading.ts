/**
 * Which text a keyframe reads, and on whom: a person at a time (the one read longest ago, or a
 * few never read), the whole frame every so often, and people the body detector finds that pose
 * missed. What a person's reading finds is carried with them (./carried_text.ts).
 */
import type { Frame } from '../../pipeline/types.js'
import { centreInside, iou, shortSideSquares } from '../geometry.js'
import type { PersonDetector } from '../people/detector.js'
import type { SharedFrameState } from '../processors.js'
import type { TextDetection, TextDetector } from '../text/detector.js'
import type { Box } from '../types.js'
import { CarriedText } from './carried_text.js'
import type { AnonymizeReport } from './report.js'

/** People read at once when several have never been read (a clip's start, a team running in). */
const NEW_PEOPLE_PER_READING = 4
/**
 * A body-detected person overlapping a pose person less than this (and centred outside their
 * box) is someone pose missed; more, and it is that person again, already read.
 */
const UNPOSED_MAX_IOU = 0.3
/** Text boxes from two readings (a person's and the whole frame's) overlapping this much are one. */
const SAME_TEXT_IOU = 0.5

export class TextReading {
  readonly carried = new CarriedText()
  #textTurn = 0
  #unposedTurn = 0

  constructor(
    private text: TextDetector,
    private persons: PersonDetector,
    private report: AnonymizeReport,
    /** Told each reading's text, for the evaluation (AnonymizeProcessor.last). */
    private onRead: (found: TextDetection[]) => void,
    /** A single picture: every person and the whole frame are read at once. */
    private still: boolean
  ) {}

  /**
   * Reading text costs far more than finding faces (a zoomed pass over each person's torso),
   * so each text turn reads one person, the one read longest ago, and what it finds is carried
   * with that person until their next reading. Every (people + 1)-th turn reads the whole frame
   * instead, and one of the people the body detector finds that pose did not, each in turn
   * (their boxes are tracked on their own). Returns the whole frame's text (a person's is carried).
   */
  async read(frame: Frame, people: SharedFrameState['people']): Promise<TextDetection[]> {
    if (this.still) {
      // One picture: every person, found by pose or by body, and the whole frame.
      const boxes = [
        ...people.map((person) => person.box),
        ...(await this.#unposedPeople(frame, people)),
      ]
      const found = boxes.length ? await this.text.detect(frame, boxes) : []
      return this.#read(addUnseen(found, await this.text.detect(frame, undefined, boxes)))
    }
    const turn = this.#textTurn++
    if (people.length === 0 || turn % (people.length + 1) === people.length) {
      // The body detector first: on the lane it runs while the text detector runs here.
      // Names on the whole frame are looked for on pose's people (the body detector's come too late).
      const posed = people.map((person) => person.box)
      const [unposed, found] = await Promise.all([
        this.#unposedPeople(frame, people),
        this.text.detect(frame, undefined, posed),
      ])
      // One unposed person a turn, in turn: each costs a zoomed pass, and a crowd has many.
      if (unposed.length) {
        const chosen = unposed[this.#unposedTurn++ % unposed.length]
        this.report.stats.unposedPeopleRead++
        addUnseen(found, await this.text.detect(frame, [chosen]))
      }
      return this.#read(found)
    }
    // People never read yet go first, a few at once, so a newcomer's number is not left bare
    // while the others take their turns; otherwise the person read longest ago.
    const unread = people
      .filter((person) => this.carried.readAt(person.trackId) < 0)
      .slice(0, NEW_PEOPLE_PER_READING)
    const chosen = unread.length
      ? unread
      : [
          people.reduce((oldest, candidate) =>
            this.carried.readAt(candidate.trackId) < this.carried.readAt(oldest.trackId)
              ? candidate
              : oldest
          ),
        ]
    const found = this.#read(
      await this.text.detect(
        frame,
        chosen.map((person) => person.box)
      )
    )
    for (const person of chosen) {
      this.carried.set(
        person.trackId,
        person.box,
        found.filter((box) => centreInside(box, person.box)),
        frame.index
      )
    }
    return []
  }

  /**
   * People the body detector finds that no pose person explains: players seen from behind or
   * with their face hidden, whom the face-led pose detector misses. Biggest first.
   */
  async #unposedPeople(frame: Frame, people: SharedFrameState['people']): Promise<Box[]> {
    const bodies = await this.persons.detect(frame, shortSideSquares(frame.width, frame.height))
    this.report.stats.bodyDetectedPeople += bodies.length
    return bodies
      .filter(
        (body) =>
          !people.some(
            (person) => iou(person.box, body) > UNPOSED_MAX_IOU || centreInside(body, person.box)
          )
      )
      .sort((a, b) => b.height - a.height)
  }

  #read(found: TextDetection[]) {
    this.report.stats.detectedText += found.length
    this.report.stats.detectedNames += found.filter((box) => box.kind === 'name').length
    this.onRead(found)
    return found
  }
}

/** `found` with each of `more` added that is not one of them already (two readings of one piece of text). */
function addUnseen(found: TextDetection[], more: TextDetection[]) {
  for (const box of more)
    if (!found.some((other) => iou(other, box) > SAME_TEXT_IOU)) found.push(box)
  return found
}
