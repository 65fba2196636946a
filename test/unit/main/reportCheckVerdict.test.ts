import { describe, expect, it } from 'vitest';
import { createCheck } from '../../../src/core/experiments/check';
import { randomGaussianGenerator } from '../../../src/core/model/random';
import { checkVerdictHtml, escapeHtml } from '../../../src/main/services/reports/html';
import { checkVerdict } from '../../../src/shared/checkVerdict';

describe("the HTML report's check verdict", () => {
  const stepper = createCheck(randomGaussianGenerator([100, 120, 625], { kind: 'tanh' }, 0), { samples: 6, seed: 0 });
  while (stepper.done < stepper.total) stepper.step();
  const report = stepper.result('completed');

  it('says what the wizard says: the shared verdict, every sentence', () => {
    const html = checkVerdictHtml(report);
    const v = checkVerdict(report);
    for (const sentence of [v.headline, ...v.certifies, ...v.failures, ...v.next])
      expect(html).toContain(escapeHtml(sentence));
    expect(html).toContain('The first layer is too sparse: s₁ = ');
    expect(html).toContain('class="verdict verdict-fail"');
  });

  it("a run from before the verdict's data: the core's verdict sentence", () => {
    const old = { ...report, n0: undefined } as unknown as typeof report;
    expect(checkVerdictHtml(old)).toBe(
      `<p class="verdict"><strong>Verdict.</strong> ${escapeHtml(report.verdict)}</p>`,
    );
  });
});
