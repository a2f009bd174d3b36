import { defineConfig } from '@adonisjs/core/bodyparser'

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: true,
    types: [
      'application/json',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/csp-report',
    ],
  },
  /*
   * Video uploads never go through the multipart parser: they stream to object
   * storage from routes that read the raw request (see the upload issue).
   * Only the routes listed in autoProcess take files; elsewhere a multipart body is
   * not read at all, so nobody can fill the temp folder through an ordinary form.
   */
  multipart: {
    autoProcess: ['/admin/settings'],
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
