/** What the privacy evaluation asks of the anonymizer, and how a label counts as found. */
/** Number and name recall count the legible ones (labelled with their text); illegible ones are listed. */
export const TARGETS = { faceRecall: 0.95, numberRecall: 0.9, nameRecall: 0.9 }
export const MATCH_IOU = 0.3
export const MIN_FACE_PX = 20
/**
 * Share of a name's box the blurred text boxes must cover for it to count as hidden. Stricter
 * than a number's centre: a name half blurred ("SCHIER…") still names the player, and name boxes
 * are drawn tight around the letters.
 */
export const NAME_COVERED = 0.8
