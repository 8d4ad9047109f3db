// The public surface of server/src/drill: what other folders may import (a lint rule keeps them from reaching past it).
export { reportMarkdown, type DrillReport } from './drill-report.js';
export { SCENARIOS, runDrill } from './run-drill.js';
export { timelineSvg } from './timeline-svg.js';
