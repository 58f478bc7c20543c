// Where the planner's plan is read from: the output file first, then the agent's final
// message (a ```json block or a bare JSON object); and what the error says when neither has one.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { findPlanAnswer, planInMessage } from '../../src/planning/plan-answer.js';

const PLAN = '{"tracks":[{"id":"a","title":"A"}]}';

describe('planInMessage', () => {
  it('takes the last ```json block', () => {
    const message = `First try:\n\`\`\`json\n{"old":true}\n\`\`\`\nCorrected:\n\`\`\`json\n${PLAN}\n\`\`\`\nDone.`;
    expect(planInMessage(message)).toBe(PLAN);
  });

  it('is not misled by the closing fence of a block in another language', () => {
    const message = `A sketch:\n\`\`\`ts\nconst x = 1;\n\`\`\`\nThe plan:\n\`\`\`JSON\n${PLAN}\n\`\`\`\n`;
    expect(planInMessage(message)).toBe(PLAN);
  });

  it('takes an unlabelled block holding an object when no block says json', () => {
    expect(planInMessage(`\`\`\`\nnot this\n\`\`\`\n\`\`\`\n${PLAN}\n\`\`\``)).toBe(PLAN);
    expect(planInMessage('```\nnot this\n```')).toBeNull();
  });

  it('reads a bare JSON object: the whole message, or after a line of prose', () => {
    expect(planInMessage(`  ${PLAN}\n`)).toBe(PLAN);
    expect(planInMessage(`Here is the plan {as asked}:\n${PLAN}\nThat is all.`)).toBe(PLAN);
  });

  it('keeps an unclosed block (cut output) so the agent hears what is wrong with it', () => {
    expect(planInMessage('```json\n{"tracks": [')).toBe('{"tracks": [');
  });

  it('finds nothing in prose', () => {
    expect(planInMessage('I could not plan this: the objective is unclear.')).toBeNull();
    expect(planInMessage('')).toBeNull();
  });
});

describe('findPlanAnswer', () => {
  const base = {
    outputFile: '/repo/.yardmaster/tmp/plan-1/plan.json',
    messageSource: "the `result` of claude's stream-json result line",
  };

  it('the output file comes first, then the final message', () => {
    const message = `\`\`\`json\n{"from":"message"}\n\`\`\``;
    expect(findPlanAnswer({ ...base, fileText: PLAN, message })).toEqual({
      text: PLAN,
      name: 'plan.json',
    });
    expect(findPlanAnswer({ ...base, fileText: null, message })).toEqual({
      text: '{"from":"message"}',
      name: "the agent's final message",
    });
    expect(findPlanAnswer({ ...base, fileText: ' \n', message }).name).toBe(
      "the agent's final message",
    );
  });

  it('says where it looked when neither has a plan', () => {
    const error = (fileText: string | null, message: string | null) => {
      try {
        findPlanAnswer({ ...base, fileText, message });
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(error(null, 'All done.\nI wrote the plan.')).toBe(
      'no plan found. yardmaster looked in the output file $YM_OUTPUT_FILE ' +
        "(/repo/.yardmaster/tmp/plan-1/plan.json), which was not written, and in the agent's final message " +
        "(the `result` of claude's stream-json result line): it holds no ```json block and no JSON object " +
        '(it begins: "All done. I wrote the plan."). Write the plan to that file, or end with it in a ```json block.',
    );
    expect(error('', null)).toMatch(/, which is empty, .*: there was none\./);
  });
});
