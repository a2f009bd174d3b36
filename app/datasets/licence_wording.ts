import type Licence from '#models/licence'
import type LicenceText from '#models/licence_text'

/*
 * How a download speaks of the licence it is delivered under. The terms themselves are
 * LICENCE.md, byte for byte the text the licence cites: the dataset card and the Croissant
 * description name that text and its hash, and point at it rather than paraphrasing it.
 */

type Terms = Pick<LicenceText, 'title' | 'version' | 'sha256'>

/** "Research licence, version 2". */
export function termsName(terms: Pick<LicenceText, 'title' | 'version'>) {
  return `${terms.title}, version ${terms.version}`
}

/** The dataset card's "Licence" section. */
export function cardLicenceSection(terms: Terms, licence: Pick<Licence, 'id'>) {
  return [
    '## Licence',
    '',
    `${termsName(terms)}, licence \`${licence.id}\`. The full text you agreed to is in \`LICENCE.md\` ` +
      `(sha256 \`${terms.sha256}\`, the hash your licence records).`,
    '',
    '- When a creator withdraws consent, the clip must be deleted from your copies; your licence page lists such clips.',
    '',
  ]
}

/** Croissant's licence fields, and the description of LICENCE.md in its distribution. */
export function croissantLicence(terms: Terms) {
  return {
    license: `${termsName(terms)}, sha256 ${terms.sha256}: full text in LICENCE.md`,
    licenceFileDescription: `The licence text the licence cites (${termsName(terms)}).`,
    dataUseCases: `The uses that ${termsName(terms)}, allows and forbids: see LICENCE.md (sha256 ${terms.sha256}).`,
  }
}
