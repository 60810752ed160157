/**
 * Characters ↔ token ids (provided). Whisper uses a byte-level BPE of 50k tokens plus special tokens such as
 * <|startoftranscript|> and <|endoftext|> (Radford et al. 2022, §2.3); with a vocabulary of 28 words, single
 * characters are enough, and the special tokens keep their roles:
 *   PAD (0)  fills a sequence up to the fixed length; the loss ignores it
 *   SOT (1)  start of transcript: the first input token of the decoder
 *   EOT (2)  end of transcript: the decoder says "done"
 */
export const PAD = 0;
export const SOT = 1;
export const EOT = 2;
export const ALPHABET = 'abcdefghijklmnopqrstuvwxyz ';
export const VOCAB_SIZE = 3 + ALPHABET.length;

/** "red go" → [char ids], without SOT/EOT. Characters outside the alphabet are an error. */
export function tokenize(text: string): number[] {
  return [...text].map((c) => {
    const i = ALPHABET.indexOf(c);
    if (i < 0) throw new Error(`tokenize: "${c}" in "${text}" is not in the alphabet (lower-case letters and space)`);
    return 3 + i;
  });
}

/** Token ids → text; special tokens are dropped. */
export function detokenize(ids: readonly number[]): string {
  return ids
    .filter((id) => id >= 3)
    .map((id) => ALPHABET[id - 3])
    .join('');
}
