/** Written into metadata.json; bump when outputs for the same input and settings change. */
export const PIPELINE_NAME = 'athera-pipeline'
export const PIPELINE_VERSION = '1.2.0'
export const KEYPOINTS_SCHEMA = 'athera.keypoints/1'
export const REGIONS_SCHEMA = 'athera.regions/1'
export const METADATA_SCHEMA = 'athera.metadata/1'
