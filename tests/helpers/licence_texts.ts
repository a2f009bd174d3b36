import type { LicenceType } from '#models/dataset'
import { LicenceTextService } from '#app/licences/licence_text_service'

/** The current licence text of a type, as the dataset page shows it before a purchase. */
export function currentLicenceText(type: LicenceType) {
  return new LicenceTextService().current(type)
}

/** The form fields of a buy or claim form whose "I agree" box is ticked under the current text. */
export async function agreement(type: LicenceType) {
  const text = await currentLicenceText(type)
  return { agree: '1', licenceTextId: String(text.id) }
}

/** The licence columns citing the current text of a type, for licences written directly. */
export async function licenceTerms(type: LicenceType) {
  const text = await currentLicenceText(type)
  return { licenceTextId: text.id, termsVersion: text.version, termsSha256: text.sha256 }
}
