import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { sourceFiles } from '#tests/helpers/import_graph'

export interface InlineRefusal {
  file: string
  line: number
  text: string
}

/** The properties a refusal's words would travel in. */
const WORDS = new Set(['message', 'reason', 'error', 'sentence'])

function isText(node: ts.Expression): boolean {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true
  if (ts.isTemplateExpression(node)) return true
  if (ts.isParenthesizedExpression(node)) return isText(node.expression)
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return isText(node.left) || isText(node.right)
  if (ts.isConditionalExpression(node)) return isText(node.whenTrue) || isText(node.whenFalse)
  return false
}

function property(object: ts.ObjectLiteralExpression, name: string) {
  return object.properties.find(
    (item): item is ts.PropertyAssignment =>
      ts.isPropertyAssignment(item) && ts.isIdentifier(item.name) && item.name.text === name
  )
}

/**
 * Refusals whose words are written where they are raised, outside the feature's errors.ts:
 * a result `{ ok: false, …, message: '…' }` and an answer `response.notFound({ error: '…' })`.
 * Both should carry a code (and the facts its sentence names) from a catalog instead.
 */
export function inlineRefusals(root: string): InlineRefusal[] {
  const found: InlineRefusal[] = []
  for (const file of sourceFiles(root, ['app'])) {
    if (file.endsWith('/errors.ts')) continue
    const source = ts.createSourceFile(
      file,
      readFileSync(join(root, file), 'utf8'),
      ts.ScriptTarget.Latest,
      true
    )
    const visit = (node: ts.Node) => {
      if (ts.isObjectLiteralExpression(node)) {
        const ok = property(node, 'ok')
        const refused = ok?.initializer.kind === ts.SyntaxKind.FalseKeyword
        const parent = node.parent
        const answered =
          ts.isCallExpression(parent) &&
          ts.isPropertyAccessExpression(parent.expression) &&
          ts.isIdentifier(parent.expression.expression) &&
          parent.expression.expression.text === 'response'
        if (refused || answered) {
          for (const name of WORDS) {
            const words = property(node, name)
            if (words && isText(words.initializer)) {
              const { line } = source.getLineAndCharacterOfPosition(words.getStart())
              found.push({ file, line: line + 1, text: words.getText().slice(0, 120) })
            }
          }
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return found
}
