import { BaseSeeder } from '@adonisjs/lucid/seeders'
import ConsentText from '#models/consent_text'

/**
 * The first consent text, so a fresh instance can accept uploads. Texts are never edited:
 * an operator who changes the wording publishes version 2, and earlier records keep
 * pointing at the version their signers read.
 */
export const CONSENT_TEXT_V1 = {
  version: 1,
  title: 'Consent to the processing and licensing of sports video',
  body: `This form records your consent to what this Athera instance does with the video you upload. Please read it in full. You can withdraw your consent at any time, as easily as you give it.

1. Who is responsible
The operator of this Athera instance is the controller of the personal data in your uploads. You can reach them at the contact address shown at the bottom of every page.

2. What we process
Your uploaded video, the date, sport and other details you enter, and the keypoints (body landmark positions) that we compute from the video. Video of people is personal data; body movement can identify a person.

3. Anonymization
Before anyone other than you and the instance's moderators can see a clip, we process it automatically: faces are blurred, shirt numbers, names and sponsor text are blurred, audio and file metadata are removed, and body keypoints are extracted. The original file is kept only as long as the instance's retention setting says, and it is never shown or delivered to buyers. Automatic anonymization can miss things; a moderator checks every clip before it is published, and you can withdraw a clip at any time.

4. Licensing
If you choose to, the anonymized video and keypoints may be included in datasets that organisations license for:
- research: non-commercial scientific study and teaching, or
- commercial use: developing and improving products, including machine-learning models,
as you select below. Buyers agree to licence terms that forbid any attempt to re-identify the people shown. When a dataset containing your clips is sold, you receive your share of the price as shown on your earnings page.

5. Whom you consent for
If you appear in the video yourself, you consent for yourself. If you upload video of athletes you coach, you confirm that each adult athlete shown has given you their own consent to this processing and licensing, and you can show it on request. If anyone shown is under 16, a parent or legal guardian must give this consent on their behalf (GDPR Article 8), and you must enter the guardian's name and relationship.

6. Withdrawal
Consent is voluntary, and you may withdraw it at any time, for a single clip or for all of them, from your clips page (GDPR Article 7(3)). After withdrawal the clip is removed from processing and from every dataset version published afterwards, and its stored files are deleted within the instance's withdrawal retention period. Withdrawal does not affect the lawfulness of processing before it, nor licences already granted for dataset versions that included the clip.

7. Your rights
You have the right to access, rectify and erase your personal data, to restrict or object to its processing, to data portability, and to lodge a complaint with a supervisory authority. This record — the text you saw, its version and fingerprint, your typed signature, the time, your IP address and browser — is kept as proof of your consent (GDPR Article 7(1)) for as long as the clips or licences it covers exist.

By typing your full name below you confirm that you have read this text and give your consent on these terms.`,
}

export default class ConsentTextSeeder extends BaseSeeder {
  async run() {
    const existing = await ConsentText.query({ client: this.client }).first()
    if (existing) return
    await ConsentText.create(CONSENT_TEXT_V1, { client: this.client })
  }
}
