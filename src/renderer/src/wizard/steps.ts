import type { Component } from 'vue';
import CheckStep from './CheckStep.vue';
import InvertStep from './InvertStep.vue';
import ProjectStep from './ProjectStep.vue';
import ReconstructStep from './ReconstructStep.vue';
import ReportStep from './ReportStep.vue';

export type WizardStep = 'model' | 'check' | 'invert' | 'reconstruct' | 'report' | 'project';
export interface WizardStepInfo {
  readonly id: WizardStep;
  readonly label: string;
  readonly component?: Component;
  /** A side step: reachable from any step, outside the numbered sequence. */
  readonly side?: boolean;
}

/** The wizard's steps in order; step 1 (the model) is drawn by the page itself. */
export const WIZARD_STEPS: readonly WizardStepInfo[] = [
  { id: 'model', label: 'Model' },
  { id: 'check', label: 'Is it invertible?', component: CheckStep },
  { id: 'invert', label: 'Inversion test', component: InvertStep },
  { id: 'reconstruct', label: 'Reconstructions', component: ReconstructStep },
  { id: 'report', label: 'Report', component: ReportStep },
  { id: 'project', label: 'Your own image', component: ProjectStep, side: true },
];
