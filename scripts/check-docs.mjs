#!/usr/bin/env node
/**
 * Fails when a public export has no documentation. Reads the model TypeDoc
 * wrote (`npm run docs` → docs/api/api.json) and checks, for each entry
 * (callchart, callchart/testing, callchart/adapter, callchart/devtools,
 * callchart/react):
 *   - every export has a TSDoc summary;
 *   - every member of an exported class or interface has one (inherited
 *     members too), and so has every property of an exported object type
 *     (`DeviceEvents`);
 *   - every optional number option (`…Options` interfaces) has its
 *     `@default`, and a time (…Ms, …Expires) says its unit;
 *   - a constructor shown in the docs takes no type that callchart does not
 *     export (the SDK's own plumbing: `new Call(actor, host)`, `new
 *     RemoteCall(network, port, …)`); such a class says `@hideconstructor`.
 * The types TypeScript infers for the statecharts are not walked: they are
 * XState's, documented there.
 *
 * Usage: node scripts/check-docs.mjs [docs/api/api.json]
 */
import fs from 'node:fs';

const file = process.argv[2] ?? 'docs/api/api.json';
const project = JSON.parse(fs.readFileSync(file, 'utf8'));

const KIND = { Class: 128, Interface: 256, TypeAlias: 2097152, Variable: 32, Function: 64, Property: 1024, Method: 2048, Accessor: 262144, Constructor: 512, Reference: 4194304 };
const UNIT = /\b(ms|milliseconds?|seconds?|s|bytes|KB|kbit\/s|0\.\.1|count|attempts|samples)\b|\bin (ms|seconds)\b/i;

const summaryOf = (comment) => (comment?.summary ?? []).map((part) => part.text).join('').trim();
const hasDefault = (comment) => (comment?.blockTags ?? []).some((tag) => tag.tag === '@default' || tag.tag === '@defaultValue');
function commentOf(reflection) {
  if (summaryOf(reflection.comment)) return reflection.comment;
  for (const signature of [...(reflection.signatures ?? []), reflection.getSignature, reflection.setSignature]) {
    if (signature && summaryOf(signature.comment)) return signature.comment;
  }
  return undefined;
}

/** Names of the types in `node` (a signature, a type, …) that are callchart's own but not exported: TypeDoc could not link them. */
function internalTypesOf(node, found = new Set()) {
  if (Array.isArray(node)) for (const item of node) internalTypesOf(item, found);
  else if (node && typeof node === 'object') {
    if (node.type === 'reference' && node.package === 'callchart' && typeof node.target === 'object') found.add(node.name);
    for (const value of Object.values(node)) internalTypesOf(value, found);
  }
  return found;
}

const problems = [];
function require(reflection, path) {
  const comment = commentOf(reflection);
  if (!comment) problems.push(`${path}: no documentation`);
  return comment;
}

function checkMembers(owner, path, isOptions) {
  for (const member of owner.children ?? []) {
    if (member.flags?.isPrivate || member.flags?.isProtected) continue;
    const memberPath = `${path}.${member.name}`;
    // Constructors: the class comment says how one is made (most come from a factory).
    if (member.kind === KIND.Constructor) {
      for (const name of internalTypesOf(member.signatures ?? [])) problems.push(`${memberPath}: the constructor takes \`${name}\`, which callchart does not export (@hideconstructor?)`);
      continue;
    }
    const comment = require(member, memberPath);
    if (comment && isOptions && member.kind === KIND.Property && member.flags?.isOptional && member.type?.type === 'intrinsic' && member.type.name === 'number') {
      if (/(Ms|Seconds|Expires|Interval|Timeout)$/i.test(member.name) && !UNIT.test(summaryOf(comment))) problems.push(`${memberPath}: a time option without its unit`);
      if (!hasDefault(comment)) problems.push(`${memberPath}: an optional number option without @default`);
    }
  }
}

let exportsChecked = 0;
for (const entry of project.children ?? []) {
  if (!summaryOf(entry.comment)) problems.push(`${entry.name}: the entry has no @packageDocumentation comment`);
  for (const reflection of entry.children ?? []) {
    if (reflection.kind === KIND.Reference) continue; // documented where it is declared
    exportsChecked++;
    const path = `${entry.name === 'index' ? 'callchart' : `callchart/${entry.name}`} › ${reflection.name}`;
    require(reflection, path);
    const isOptions = /Options$/.test(reflection.name);
    if (reflection.kind === KIND.Class || reflection.kind === KIND.Interface) checkMembers(reflection, path, isOptions);
    if (reflection.kind === KIND.TypeAlias && reflection.type?.type === 'reflection') checkMembers(reflection.type.declaration, path, isOptions);
  }
}

if (problems.length > 0) {
  console.error(`check-docs: ${problems.length} problems:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-docs: ${exportsChecked} exports documented, with their members`);
