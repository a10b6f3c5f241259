/**
 * The report as a SARIF 2.1.0 log, for code-scanning dashboards: one rule per finding id
 * (with its spec page as helpUri and a security-severity for ranking), one result per
 * finding. A failure is kind "fail" at level error, a warning kind "fail" at level
 * warning; passes and skips are kind "pass" and "notApplicable" at level "none", as SARIF
 * §3.27.9 requires of every kind but "fail".
 */
import { FINDING_IDS, FINDINGS, type FindingDefinition, type FindingStatus, type Severity } from '../findings';
import type { ScanReport } from '../scanner';

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
const DEFAULT_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const KIND: Record<FindingStatus, 'fail' | 'pass' | 'notApplicable'> = { fail: 'fail', warn: 'fail', pass: 'pass', skip: 'notApplicable' };
const LEVEL: Record<FindingStatus, 'error' | 'warning' | 'none'> = { fail: 'error', warn: 'warning', pass: 'none', skip: 'none' };

export function toSarif(report: ScanReport): Record<string, unknown> {
  const rules = FINDING_IDS.map((id) => {
    const definition: FindingDefinition = FINDINGS[id];
    return {
      id,
      name: id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase()),
      shortDescription: { text: definition.title },
      fullDescription: { text: `${definition.title}. Rests on ${definition.spec}.` },
      help: { text: definition.remedy },
      helpUri: definition.specUrl,
      defaultConfiguration: { level: DEFAULT_LEVEL[definition.severity] },
      properties: { tags: ['security', 'oauth', 'mcp'], 'security-severity': SECURITY_SEVERITY[definition.severity], precision: 'high' },
    };
  });
  const results = report.findings.map((finding) => ({
    ruleId: finding.id,
    ruleIndex: FINDING_IDS.indexOf(finding.id),
    kind: KIND[finding.status],
    level: LEVEL[finding.status],
    message: { text: `${finding.title}: ${finding.detail}${finding.remedy ? ` Fix: ${finding.remedy}` : ''}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: report.target } } }],
    properties: { status: finding.status, severity: finding.severity, spec: finding.spec },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: report.scanner.name, version: report.scanner.version, rules } },
        automationDetails: { id: `mcp-oauth-scan/${report.target}` },
        invocations: [{ executionSuccessful: true, properties: { modes: report.modes } }],
        results,
      },
    ],
  };
}
