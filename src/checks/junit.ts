// JUnit XML for CI systems (GitLab's junit report, GitHub test reporters): one testsuite, one
// testcase per check. A failing `fail`-level check is a <failure> whose text is its output tail,
// an error is an <error>, a skip is <skipped/>; a `warn`-level problem does not fail the build,
// so it passes with the warning in <system-out>. Pure.
import type { CheckReport, CheckResult } from './types.js';

export interface JUnitMeta {
  trackId: string;
  timestamp: Date;
  hostname?: string;
}

// Characters XML 1.0 cannot carry at all, even escaped or in CDATA.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(s: string): string {
  return s.replace(NOT_XML, '\ufffd');
}

export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Text in CDATA; a `]]>` inside is split across two sections so it cannot end the first early. */
export function cdata(s: string): string {
  return `<![CDATA[${xmlText(s).replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: CheckResult): string {
  const head = `    <testcase name="${xmlAttr(r.name)}" classname="yardmaster.${r.kind}" time="${seconds(r.durationMs)}"`;
  const message = r.message ?? r.status;
  const body = r.outputTail === '' ? message : `${message}\n\n${r.outputTail}`;
  if (r.status === 'pass') return `${head}/>`;
  if (r.status === 'skip')
    return `${head}>\n      <skipped message="${xmlAttr(message)}"/>\n    </testcase>`;
  if (r.level === 'warn') {
    return `${head}>\n      <system-out>${cdata(`warning (${r.status}): ${body}`)}</system-out>\n    </testcase>`;
  }
  const tag = r.status === 'error' ? 'error' : 'failure';
  return `${head}>\n      <${tag} message="${xmlAttr(message)}" type="${r.status}">${cdata(r.outputTail === '' ? message : r.outputTail)}</${tag}>\n    </testcase>`;
}

export function renderJUnit(report: CheckReport, meta: JUnitMeta): string {
  const failing = (r: CheckResult) => r.level === 'fail';
  const failures = report.results.filter((r) => r.status === 'fail' && failing(r)).length;
  const errors = report.results.filter((r) => r.status === 'error' && failing(r)).length;
  const skipped = report.results.filter((r) => r.status === 'skip').length;
  const counts = `tests="${report.results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.durationMs)}"`;
  const name = xmlAttr(`yardmaster validate ${meta.trackId}`);
  const stamp = meta.timestamp.toISOString().replace(/\.\d{3}Z$/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="yardmaster" ${counts}>`,
    `  <testsuite name="${name}" ${counts} timestamp="${stamp}"${meta.hostname ? ` hostname="${xmlAttr(meta.hostname)}"` : ''}>`,
    '    <properties>',
    `      <property name="track" value="${xmlAttr(meta.trackId)}"/>`,
    `      <property name="commit" value="${xmlAttr(report.headSha)}"/>`,
    '    </properties>',
    ...report.results.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
