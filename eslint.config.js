import { configApp, RULES_LIST } from '@adonisjs/eslint-config'

export default configApp(
  // Never source: Vite's bundle, the production build, scratch files, the converted models and
  // Adonis's generated indexes. (configApp leaves some of these to its TypeScript block only, and
  // ESLint would otherwise still parse every .js file under them.)
  { ignores: ['public/assets/**', 'build/**', 'tmp/**', 'models/**', '.adonisjs/**'] },
  // configApp lints **/*.ts only. The browser scripts (resources/js, bundled by Vite) and the
  // plain-JavaScript entry points follow the same rules rather than being parsed with none.
  {
    name: 'Athera plain JavaScript',
    files: ['resources/js/**/*.js', 'scripts/**/*.mjs', 'ace.js'],
    rules: RULES_LIST,
  }
)
