/** Every ```ts block of README.md that starts with an import, in order. */
export function readmeExamples(): string[];
/** The example that imports `from` (e.g. 'callchart/testing'); throws when there is none or several. */
export function readmeExample(from: string): string;
