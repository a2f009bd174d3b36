import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * What publishing a dataset version needs from a clip's keypoints.json (people, frames with a
 * skeleton, frame count and rate), counted by the pipeline as it writes the file, so publishing
 * never downloads it. Null for clips processed before: publishing counts those by streaming.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('clips', (table) => {
      table.integer('keypoint_people').nullable()
      table.integer('keypoint_frames').nullable()
      table.integer('keypoint_frame_count').nullable()
      table.double('keypoint_fps').nullable()
    })
  }

  async down() {
    this.schema.alterTable('clips', (table) => {
      table.dropColumn('keypoint_people')
      table.dropColumn('keypoint_frames')
      table.dropColumn('keypoint_frame_count')
      table.dropColumn('keypoint_fps')
    })
  }
}
