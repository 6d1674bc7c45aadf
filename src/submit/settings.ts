// The submission settings of a configuration, with the safe options of the run applied on top
// (NoRecipientAction; PrivacyOptions words are only ever added, cli.md §6).

import type { EffectiveConfig } from '../config/effective.js';
import { parsePrivacy } from '../config/privacy.js';
import type { RunOption } from './run-options.js';
import type { NoRecipientAction, SubmitSettings } from './submit.js';

const ACTIONS: readonly NoRecipientAction[] = ['none', 'add-to', 'add-apparently-to', 'add-bcc', 'add-to-undisclosed'];

export function submitSettings(cfg: EffectiveConfig, j: string, isLocalDomain: (d: string) => boolean, run: readonly RunOption[] = []): SubmitSettings {
  let action: NoRecipientAction = cfg.options.NoRecipientAction;
  let authWarnings = cfg.options.PrivacyOptions.flags.has('authwarnings');
  for (const o of run) {
    const name = o.name.toLowerCase();
    if (name === 'norecipientaction') {
      const v = o.value.trim().toLowerCase();
      if ((ACTIONS as readonly string[]).includes(v)) action = v as NoRecipientAction;
    } else if (name === 'privacyoptions' || name === 'p') {
      const p = parsePrivacy(o.value);
      if (p.ok && p.value.flags.has('authwarnings')) authWarnings = true;
    }
  }
  return {
    j,
    maxMessageSize: cfg.options.MaxMessageSize,
    rejectNul: cfg.options.RejectNUL,
    authWarnings,
    noRecipientAction: action,
    isLocalDomain,
  };
}
