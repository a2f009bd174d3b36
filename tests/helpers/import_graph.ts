import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import ts from 'typescript'

/**
 * The import graph of the project's source, read with TypeScript's parser (no type checking,
 * so it takes a second): what each file imports, and whether the import survives compilation.
 * `import type`, `import { type X }` only and `typeof import('…')` are erased; `import('…')`
 * inside a function is lazy (it runs later, when called, so it cannot close a cycle at load).
 */
export type ImportKind = 'static' | 'lazy' | 'type'

export interface ImportEdge {
  from: string
  to: string
  specifier: string
  kind: ImportKind
  line: number
}

const SOURCE = /\.(ts|mts)$/

export function sourceFiles(root: string, folders: string[]) {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path)
      } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path)
    }
  }
  for (const folder of folders) if (existsSync(join(root, folder))) walk(folder)
  return out.sort()
}

/** The package.json `imports` table: `#app/*` → `./app/*.js`. */
export function aliasTable(root: string): [string, string][] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  return Object.entries(pkg.imports ?? {}) as [string, string][]
}

/** The repo-relative source file a specifier names, or null for a package. */
export function resolveSpecifier(
  root: string,
  aliases: [string, string][],
  importer: string,
  specifier: string
) {
  let target: string | null = null
  if (specifier.startsWith('#')) {
    for (const [key, value] of aliases) {
      const [prefix, suffix = ''] = key.split('*')
      if (specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
        target = value.replace(
          '*',
          specifier.slice(prefix.length, specifier.length - suffix.length)
        )
        break
      }
    }
    if (!target) return null
  } else if (specifier.startsWith('.')) {
    target = join(dirname(importer), specifier)
  } else {
    return null
  }
  target = normalize(target).replace(/^\.\//, '')
  for (const candidate of [
    target.replace(/\.js$/, '.ts'),
    `${target}.ts`,
    target,
    `${target}/index.ts`,
  ]) {
    if (existsSync(join(root, candidate)) && SOURCE.test(candidate))
      return relative(root, join(root, candidate))
  }
  return target.replace(/\.js$/, '.ts')
}

function typeOnlyImport(node: ts.ImportDeclaration) {
  const clause = node.importClause
  if (!clause) return false
  if (clause.isTypeOnly) return true
  if (clause.name) return false
  const bindings = clause.namedBindings
  return (
    !!bindings &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  )
}

function typeOnlyExport(node: ts.ExportDeclaration) {
  if (node.isTypeOnly) return true
  const clause = node.exportClause
  return (
    !!clause &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((e) => e.isTypeOnly)
  )
}

export function importsOf(root: string, aliases: [string, string][], file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const edges: ImportEdge[] = []
  const add = (specifier: string, kind: ImportKind, node: ts.Node) => {
    const to = resolveSpecifier(root, aliases, file, specifier)
    if (!to) return
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1
    edges.push({ from: file, to, specifier, kind, line })
  }
  const visit = (node: ts.Node, insideFunction: boolean) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, typeOnlyImport(node) ? 'type' : 'static', node)
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, typeOnlyExport(node) ? 'type' : 'static', node)
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal))
        add(argument.literal.text, 'type', node)
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      // A top-level `await import()` runs at load time like a static import.
      add(node.arguments[0].text, insideFunction ? 'lazy' : 'static', node)
    }
    const inside = insideFunction || ts.isFunctionLike(node)
    ts.forEachChild(node, (child) => visit(child, inside))
  }
  visit(source, false)
  return edges
}

export function importGraph(root: string, folders: string[]) {
  const aliases = aliasTable(root)
  return sourceFiles(root, folders).flatMap((file) => importsOf(root, aliases, file))
}

/**
 * The import cycles among `edges` (one path per strongly connected component, first file
 * repeated at the end), found with Tarjan's algorithm.
 */
export function cycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>()
  for (const edge of edges) {
    const list = next.get(edge.from) ?? []
    list.push(edge.to)
    next.set(edge.from, list)
  }
  let index = 0
  const indexes = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const connect = (node: string) => {
    indexes.set(node, index)
    low.set(node, index++)
    stack.push(node)
    onStack.add(node)
    for (const to of next.get(node) ?? []) {
      if (!indexes.has(to)) {
        connect(to)
        low.set(node, Math.min(low.get(node)!, low.get(to)!))
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, indexes.get(to)!))
      }
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || (next.get(node) ?? []).includes(node)) components.push(component)
    }
  }
  for (const node of [...next.keys()].sort()) if (!indexes.has(node)) connect(node)

  // One concrete path per component: breadth-first from its first file back to itself.
  return components.map((component) => {
    const members = new Set(component)
    const start = [...component].sort()[0]
    const previous = new Map<string, string>()
    const queue = [start]
    while (queue.length) {
      const node = queue.shift()!
      for (const to of next.get(node) ?? []) {
        if (!members.has(to)) continue
        if (to === start) {
          const path = [start]
          for (let at: string | undefined = node; at && at !== start; at = previous.get(at))
            path.splice(1, 0, at)
          return [...path, start]
        }
        if (!previous.has(to)) {
          previous.set(to, node)
          queue.push(to)
        }
      }
    }
    return [...component, component[0]]
  })
}
