import { Course, Reading } from './course/types';

/** The markdown shown when a learner clicks a reading: what it is, why, the questions, and where it is used. */
export function readingDetailMarkdown(course: Course, reading: Reading, read: boolean): string {
  const usedBy = course.exercises.filter((e) => e.readings.includes(reading.id));
  const position = course.readings.findIndex((r) => r.id === reading.id) + 1;
  return [
    `# ${reading.title}`,
    '',
    `**${reading.authors}**, ${reading.year} · ${reading.kind} · about ${reading.hours} h · reading ${position} of ${course.readings.length}${read ? ' · ✓ read' : ''}`,
    '',
    `[Open ${reading.url}](${reading.url})`,
    '',
    `**Why read it.** ${reading.why}`,
    '',
    '## Guiding questions',
    '',
    ...reading.questions.map((q, i) => `${i + 1}. ${q}`),
    '',
    '## Used by',
    '',
    ...(usedBy.length
      ? usedBy.map((e) => `- Exercise ${course.exercises.indexOf(e) + 1}: ${e.title}`)
      : ['- background reading; no exercise depends on it directly']),
    '',
    '_Right-click the reading in the Curriculum tree and choose **Open Reading Notes** to answer these questions in `notes/' +
      reading.id +
      '.md`._',
    '',
  ].join('\n');
}
