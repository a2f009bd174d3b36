import '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'

/*
 * A reviewer's manual redaction: the box drawn on a frame of the anonymized video and the range
 * of frames to follow it over. Whole output pixels and output frames; whether they fit the clip
 * (inside the frame, inside the clip, not too long) is the service's answer, in a sentence.
 */

const whole = () => vine.number({ strict: false }).withoutDecimals().min(0).max(1_000_000)

export const redactionValidator = vine.create({
  frame: whole(),
  x: whole(),
  y: whole(),
  width: whole(),
  height: whole(),
  start: whole(),
  end: whole(),
})
redactionValidator.messagesProvider = new SimpleMessagesProvider(
  {
    'frame.required': 'Pause on the frame to redact and draw a box on it first.',
    'x.required': 'Draw a box on the video first (b starts drawing).',
    'y.required': 'Draw a box on the video first (b starts drawing).',
    'width.required': 'Draw a box on the video first (b starts drawing).',
    'height.required': 'Draw a box on the video first (b starts drawing).',
    'start.required': 'Give the first frame of the range to redact.',
    'end.required': 'Give the last frame of the range to redact.',
    'number': 'The box and the range are whole numbers of pixels and frames.',
    'withoutDecimals': 'The box and the range are whole numbers of pixels and frames.',
    'min': 'The box and the range cannot be negative: the box must lie inside the frame.',
    'max': 'The box and the range must lie inside the clip.',
  },
  {}
)
