/** Reading iCalendar text in tests: VEVENTs as property maps (unfolded lines), a calendar's property, invite links. */

function unfolded(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n');
}

/** Each VEVENT's properties by name (parameters dropped; a repeated property's values joined with a newline). */
export function icsEvents(ics: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | null = null;
  for (const line of unfolded(ics)) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      out.push(current);
      current = null;
    } else if (current) {
      const at = line.indexOf(':');
      const name = line.slice(0, at).split(';')[0] as string;
      const value = line.slice(at + 1);
      current[name] = current[name] === undefined ? value : `${current[name]}\n${value}`;
    }
  }
  return out;
}

/** A property of the VCALENDAR itself (METHOD, PRODID…), outside any component. */
export function icsProperty(ics: string, name: string): string | undefined {
  let depth = 0;
  for (const line of unfolded(ics)) {
    if (line.startsWith('BEGIN:')) depth++;
    else if (line.startsWith('END:')) depth--;
    else if (depth === 1 && line.split(/[;:]/)[0] === name) return line.slice(line.indexOf(':') + 1);
  }
  return undefined;
}

/** The path of the first "Add to calendar" invite in a message (card, Block Kit or activity), if any. */
export function invitePathIn(message: unknown): string | undefined {
  return /\/calendar\/[a-f0-9]{64}\/(?:session|meeting)\/[A-Za-z0-9._:%@-]+\.ics/.exec(JSON.stringify(message))?.[0];
}
