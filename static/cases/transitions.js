// The case status table as the server's domain/cases.py has it, used only to offer the legal
// next statuses in the status menu; the server still refuses anything else (illegal_transition).

export const TRANSITIONS = Object.freeze({
  received: ["assigned", "closed"],
  assigned: ["in_progress", "closed"],
  in_progress: ["answered", "closed"],
  answered: ["in_progress", "closed"],
  closed: [],
});
