import { DateTime } from 'luxon'
import Upload from '#models/upload'
import { ConsentRecordFactory } from '#database/factories/consent_record_factory'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'

const toLogin: [number, string] = [302, '/login']

/**
 * Uploads. Requests here carry no tus headers, so a creator reaching the tus endpoints gets
 * 412 (protocol version required); ownership and the protocol are covered in uploads/*.spec.ts.
 */
export const uploadRoutes: RouteTable = {
  'GET /upload': { anonymous: toLogin, creator: 200, buyer: 403, admin: 403, suspended: toLogin },
  'POST /uploads': { anonymous: toLogin, creator: 412, buyer: 403, admin: 403, suspended: toLogin },
  'HEAD /uploads/:uploadId': {
    anonymous: toLogin,
    creator: 412,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
  'PATCH /uploads/:uploadId': {
    anonymous: toLogin,
    creator: 412,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
  'DELETE /uploads/:uploadId': {
    anonymous: toLogin,
    creator: 412,
    buyer: 403,
    admin: 403,
    suspended: toLogin,
  },
}

/** Someone else's upload in progress. */
export const uploadParams: ParamFixture = async () => {
  const grant = await ConsentRecordFactory.create()
  const upload = await Upload.create({
    userId: grant.userId,
    consentRecordId: grant.id,
    filename: 'theirs.mp4',
    length: 1000,
    offset: 0,
    metadata: {
      title: 'Theirs',
      sport: 'football',
      activity: null,
      skillLevel: null,
      cameraAngle: null,
      venueType: null,
      recordedOn: null,
      tags: [],
      contentType: 'video/mp4',
    },
    status: 'receiving',
    expiresAt: DateTime.now().plus({ hours: 1 }),
  })
  return { uploadId: upload.id }
}
