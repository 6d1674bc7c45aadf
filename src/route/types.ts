// Stand-in for D1's src/route/types.ts (branch route): the shared types of /work/delivery-design.md,
// verbatim, so the master/worker split builds before that branch lands. Take D1's file at the merge.

export interface Identity { name: string; uid: number; gid: number; home: string; shell: string }
export interface StatusText { code: number; enh: string; text: string }
