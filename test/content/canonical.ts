// A function's body reduced to what it computes, so that two functions written apart can be compared: the spoiler
// check asks whether a lab/ function is the answer to some exercise's TODO. Comparing text after removing whitespace
// and comments is not enough: lab/vision.ts's patchify and the CLIP solution's differed only in names, a tf.tidy
// and where the intermediate results were named. So the canonical form also
//   - drops types (annotations, `as`, `satisfies`, `!`) and parentheses (the tree keeps the precedence),
//   - names parameters and `let`/loop variables by position ($0, $1, …), whatever they were called,
//   - inlines every `const` (`const gh = H / P` then `gh * gw` reads `(H/P)*(W/P)`), destructuring included,
//   - unwraps `tf.tidy(() => …)`, which changes memory, not the result.
// Free names (tf.reshape, imported helpers, module constants) and property names stay as written.
import ts from 'typescript';

export interface FunctionForm {
  /** `name`, `Class.method`, or `outer.inner` for a named function inside another. */
  readonly name: string;
  readonly line: number;
  readonly canonical: string;
  /** The function-like node, for callers that look inside (TODO markers). */
  readonly node: ts.FunctionLikeDeclaration;
}

type Env = Map<string, string>;
interface Scope {
  readonly env: Env;
  readonly counter: { n: number };
}

const TRANSPARENT = new Set([
  ts.SyntaxKind.ParenthesizedExpression,
  ts.SyntaxKind.AsExpression,
  ts.SyntaxKind.SatisfiesExpression,
  ts.SyntaxKind.NonNullExpression,
  ts.SyntaxKind.TypeAssertionExpression,
]);

function unwrap(e: ts.Expression): ts.Expression {
  while (TRANSPARENT.has(e.kind)) e = (e as ts.ParenthesizedExpression).expression;
  return e;
}

/** The zero-argument callback of `tf.tidy(fn)` / `tidy(fn)` / `tf.tidy('name', fn)`, or undefined. */
function tidyBody(e: ts.Expression): ts.ConciseBody | undefined {
  e = unwrap(e);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
  const fn = e.arguments[e.arguments.length - 1];
  if (
    name !== 'tidy' ||
    fn === undefined ||
    !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ||
    fn.parameters.length > 0
  )
    return undefined;
  return fn.body;
}

function child(scope: Scope): Scope {
  return { env: new Map(scope.env), counter: scope.counter };
}

function local(scope: Scope, name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) {
    const id = `$${scope.counter.n++}`;
    scope.env.set(name.text, id);
    return [id];
  }
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : local(scope, el.name)));
}

/** Binds a `const` to its value's canonical text, so each use reads the value itself. */
function inline(scope: Scope, name: ts.BindingName, value: string): void {
  if (ts.isIdentifier(name)) scope.env.set(name.text, value);
  else if (ts.isArrayBindingPattern(name)) {
    name.elements.forEach((el, i) => {
      if (ts.isOmittedExpression(el)) return;
      if (el.dotDotDotToken) inline(scope, el.name, `${value}.slice(${i})`);
      else inline(scope, el.name, `${value}[${i}]`);
    });
  } else {
    for (const el of name.elements) {
      const key = el.propertyName ? el.propertyName.getText() : (el.name as ts.Identifier).text;
      inline(scope, el.name, `${value}.${key}`);
    }
  }
}

function statements(list: readonly ts.Statement[], scope: Scope): string[] {
  const out: string[] = [];
  for (const s of list) {
    if (ts.isVariableStatement(s)) {
      const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of s.declarationList.declarations) {
        const value = d.initializer ? expr(d.initializer, scope) : 'undefined';
        if (isConst && d.initializer) inline(scope, d.name, value);
        else out.push(`let ${local(scope, d.name).join(',')}=${value}`);
      }
    } else if ((ts.isReturnStatement(s) || ts.isExpressionStatement(s)) && s.expression && tidyBody(s.expression)) {
      const body = tidyBody(s.expression)!;
      const inner = ts.isBlock(body) ? statements(body.statements, child(scope)) : [`return ${expr(body, scope)}`];
      out.push(...(ts.isReturnStatement(s) ? inner : inner.filter((x) => !x.startsWith('return '))));
    } else if (ts.isReturnStatement(s)) out.push(`return ${s.expression ? expr(s.expression, scope) : ''}`);
    else if (ts.isExpressionStatement(s)) out.push(expr(s.expression, scope));
    else if (ts.isBlock(s)) out.push(`{${statements(s.statements, child(scope)).join(';')}}`);
    else if (!ts.isEmptyStatement(s)) out.push(generic(s, scope));
  }
  return out;
}

function fn(node: ts.FunctionLikeDeclaration, parent: Scope): string {
  const scope = child(parent);
  const params = node.parameters.flatMap((p) => local(scope, p.name)).join(',');
  if (!node.body) return `fn(${params})`;
  const body = ts.isBlock(node.body)
    ? statements(node.body.statements, scope).join(';')
    : `return ${expr(node.body, scope)}`;
  return `fn(${params}){${body}}`;
}

function expr(e: ts.Expression, scope: Scope): string {
  e = unwrap(e);
  const tidy = tidyBody(e);
  if (tidy) {
    if (!ts.isBlock(tidy)) return expr(tidy, scope);
    const inner = statements(tidy.statements, child(scope));
    return inner.length === 1 && inner[0].startsWith('return ')
      ? inner[0].slice('return '.length)
      : `{${inner.join(';')}}`;
  }
  if (ts.isIdentifier(e)) return scope.env.get(e.text) ?? e.text;
  if (ts.isNumericLiteral(e)) return String(Number(e.text));
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return JSON.stringify(e.text);
  if (ts.isPropertyAccessExpression(e)) return `${expr(e.expression, scope)}.${e.name.text}`;
  if (ts.isElementAccessExpression(e)) return `${expr(e.expression, scope)}[${expr(e.argumentExpression, scope)}]`;
  if (ts.isCallExpression(e))
    return `${expr(e.expression, scope)}(${e.arguments.map((a) => expr(a, scope)).join(',')})`;
  if (ts.isNewExpression(e))
    return `new ${expr(e.expression, scope)}(${(e.arguments ?? []).map((a) => expr(a, scope)).join(',')})`;
  if (ts.isBinaryExpression(e)) return `(${expr(e.left, scope)}${e.operatorToken.getText()}${expr(e.right, scope)})`;
  if (ts.isPrefixUnaryExpression(e)) return `(${ts.tokenToString(e.operator)}${expr(e.operand, scope)})`;
  if (ts.isPostfixUnaryExpression(e)) return `(${expr(e.operand, scope)}${ts.tokenToString(e.operator)})`;
  if (ts.isConditionalExpression(e))
    return `(${expr(e.condition, scope)}?${expr(e.whenTrue, scope)}:${expr(e.whenFalse, scope)})`;
  if (ts.isArrayLiteralExpression(e)) return `[${e.elements.map((x) => expr(x, scope)).join(',')}]`;
  if (ts.isSpreadElement(e)) return `...${expr(e.expression, scope)}`;
  if (ts.isAwaitExpression(e)) return `await(${expr(e.expression, scope)})`;
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return fn(e, scope);
  if (ts.isObjectLiteralExpression(e)) {
    return `{${e.properties
      .map((p) => {
        if (ts.isShorthandPropertyAssignment(p)) return `${p.name.text}:${expr(p.name, scope)}`;
        if (ts.isPropertyAssignment(p)) return `${p.name.getText()}:${expr(p.initializer, scope)}`;
        if (ts.isSpreadAssignment(p)) return `...${expr(p.expression, scope)}`;
        return generic(p, scope);
      })
      .join(',')}}`;
  }
  return generic(e, scope);
}

/** Any other node: its kind and its children, types left out; declarations met here get positional names. */
function generic(node: ts.Node, scope: Scope): string {
  if (ts.isVariableDeclarationList(node)) {
    return `let ${node.declarations.map((d) => `${local(scope, d.name).join(',')}=${d.initializer ? expr(d.initializer, scope) : ''}`).join(',')}`;
  }
  if (ts.isBlock(node)) return `{${statements(node.statements, child(scope)).join(';')}}`;
  if (ts.isFunctionLike(node) && 'body' in node) return fn(node as ts.FunctionLikeDeclaration, scope);
  const parts: string[] = [];
  let any = false;
  ts.forEachChild(node, (c) => {
    any = true;
    if (ts.isTypeNode(c) || ts.isTypeParameterDeclaration(c)) return;
    parts.push(
      ts.isExpression(c)
        ? expr(c, scope)
        : ts.isStatement(c)
          ? statements([c], child(scope)).join(';')
          : generic(c, scope),
    );
  });
  return any ? `${ts.SyntaxKind[node.kind]}(${parts.join(',')})` : node.getText();
}

/**
 * Every named function in a TypeScript file, top level or nested, with its canonical form: function declarations,
 * functions and arrows assigned to a `const`, class and object-literal methods.
 */
export function functionForms(fileName: string, text: string): FunctionForm[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: FunctionForm[] = [];
  const visit = (node: ts.Node, prefix: string): void => {
    let name: string | undefined;
    let f: ts.FunctionLikeDeclaration | undefined;
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && node.body)
      [name, f] = [node.name.getText(source), node];
    else if (
      (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node)) &&
      node.initializer &&
      ts.isIdentifier(node.name)
    ) {
      const init = unwrap(node.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) [name, f] = [node.name.text, init];
    }
    const owner = ts.isClassDeclaration(node) && node.name ? `${prefix}${node.name.text}.` : prefix;
    if (f && name) {
      const qualified = `${prefix}${name}`;
      out.push({
        name: qualified,
        line: source.getLineAndCharacterOfPosition(f.getStart(source)).line + 1,
        canonical: fn(f, { env: new Map(), counter: { n: 0 } }),
        node: f,
      });
      ts.forEachChild(node, (c) => visit(c, `${qualified}.`));
    } else ts.forEachChild(node, (c) => visit(c, owner));
  };
  visit(source, '');
  return out;
}
