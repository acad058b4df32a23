/**
 * The GGUF fixture generator must be reproducible (tests compare outputs of
 * models built from it) and must produce structurally valid files. These
 * checks need no native code: the header is cross-checked with
 * node-llama-cpp's pure-JS GGUF reader.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import {
    buildVocabulary,
    CHATML_TEMPLATE,
    generateFixtures,
    readGgufLayout,
    tinyLlamaByteLength,
    writeLoraAdapter,
    type FixturePaths,
} from "../fixtures/gguf/tiny-llama.js";

const tempDirs: string[] = [];
function freshDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "xinglin-gguf-"));
    tempDirs.push(dir);
    return dir;
}

afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function sha256(path: string): string {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function hashes(paths: FixturePaths): Record<string, string> {
    return Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, sha256(p)]));
}

describe("GGUF fixture generator", () => {
    const started = performance.now();
    const first = generateFixtures(freshDir());
    const elapsedMs = performance.now() - started;

    it("is deterministic: two runs give byte-identical files", () => {
        const second = generateFixtures(freshDir());
        const a = hashes(first);
        const b = hashes(second);
        expect(b).toEqual(a);
        // and the files are not all trivially the same
        expect(new Set(Object.values(a)).size).toBe(Object.keys(a).length);
    });

    it("is fast for the default size", () => {
        // well under a second on a laptop; generous to tolerate slow CI
        expect(elapsedMs).toBeLessThan(2000);
    });

    it("writes GGUF v3 headers for every model/adapter file and plain text for not-a-model", () => {
        for (const p of [first.model, first.lora, first.loraB, first.loraMismatch, first.truncated]) {
            const head = readFileSync(p).subarray(0, 8);
            expect(head.toString("latin1", 0, 4)).toBe("GGUF");
            expect(head.readUInt32LE(4)).toBe(3);
        }
        expect(readFileSync(first.notAModel, "utf8").startsWith("GGUF")).toBe(false);
    });

    it("has the expected sizes", () => {
        const model = statSync(first.model).size;
        expect(model).toBe(tinyLlamaByteLength());
        expect(model).toBeGreaterThan(500_000);
        expect(model).toBeLessThan(2_000_000);
        expect(model % 32).toBe(0);

        const { dataOffset } = readGgufLayout(readFileSync(first.model));
        const truncated = statSync(first.truncated).size;
        expect(truncated).toBeGreaterThan(dataOffset);
        expect(truncated).toBeLessThan(model);

        const lora = statSync(first.lora).size;
        expect(statSync(first.loraB).size).toBe(lora);
        expect(lora).toBeLessThan(64_000);
        expect(statSync(first.loraMismatch).size).toBeGreaterThan(lora);
    });

    it("has the llama metadata and tensor table llama.cpp expects", async () => {
        const info = await readGgufFileInfo(first.model, { logWarnings: false });
        const md = info.metadata as unknown as Record<string, Record<string, unknown>>;
        expect(md.general?.architecture).toBe("llama");
        expect(md.general?.alignment).toBe(32);
        expect(md.llama).toMatchObject({
            context_length: 512,
            embedding_length: 64,
            block_count: 2,
            feed_forward_length: 128,
            attention: { head_count: 4, head_count_kv: 4 },
            rope: { dimension_count: 16 },
        });
        const tok = md.tokenizer as { chat_template: string; ggml: Record<string, unknown> };
        expect(tok.chat_template).toBe(CHATML_TEMPLATE);
        const tokens = tok.ggml.tokens as string[];
        expect(tok.ggml.model).toBe("llama");
        expect(tokens[tok.ggml.bos_token_id as number]).toBe("<s>");
        expect(tokens[tok.ggml.eos_token_id as number]).toBe("<|im_end|>");
        expect(tokens).toContain("<0x00>");
        expect(tokens).toContain("<0xFF>");
        expect(tokens).toContain("痛");
        expect(tokens).toContain("\u2581the");

        const byName = new Map(info.tensorInfo!.map((t) => [t.name, t.dimensions.map(Number)]));
        expect(byName.size).toBe(3 + 2 * 9);
        const nVocab = buildVocabulary().tokens.length;
        expect(byName.get("token_embd.weight")).toEqual([64, nVocab]);
        expect(byName.get("output.weight")).toEqual([64, nVocab]);
        expect(byName.get("blk.1.ffn_gate.weight")).toEqual([64, 128]);
        expect(byName.get("blk.1.ffn_down.weight")).toEqual([128, 64]);
        for (const t of info.tensorInfo!) expect(Number(t.offset) % 32).toBe(0);
    });

    it("writes LoRA adapters in llama.cpp's adapter layout", async () => {
        const info = await readGgufFileInfo(first.lora, { logWarnings: false });
        const md = info.metadata as unknown as Record<string, Record<string, unknown>>;
        expect(md.general?.type).toBe("adapter");
        expect(md.adapter).toMatchObject({ type: "lora", lora: { alpha: 8 } });
        const byName = new Map(info.tensorInfo!.map((t) => [t.name, t.dimensions.map(Number)]));
        expect(byName.get("blk.0.attn_q.weight.lora_a")).toEqual([64, 4]);
        expect(byName.get("blk.0.attn_q.weight.lora_b")).toEqual([4, 64]);

        const mismatch = await readGgufFileInfo(first.loraMismatch, { logWarnings: false });
        const mm = new Map(mismatch.tensorInfo!.map((t) => [t.name, t.dimensions.map(Number)]));
        expect(mm.get("blk.0.attn_q.weight.lora_a")).toEqual([96, 4]);
    });

    it("builds a mismatching adapter for any valid head count", async () => {
        const path = join(freshDir(), "mm.gguf");
        writeLoraAdapter(path, { nEmbd: 768, nHead: 12, nHeadKv: 12 }, { shapeMismatch: true });
        const info = await readGgufFileInfo(path, { logWarnings: false });
        const a = info.tensorInfo!.find((t) => t.name === "blk.0.attn_q.weight.lora_a")!;
        expect(a.dimensions.map(Number)).toEqual([792, 4]);
    });

    it("tokenizes common words through prefix chains", () => {
        const { tokens, types } = buildVocabulary();
        const set = new Set(tokens);
        // every multi-character normal piece must be reachable by a merge
        // of two shorter pieces, or llama.cpp's SPM tokenizer never emits it
        tokens.forEach((t, id) => {
            const chars = [...t];
            if (types[id] !== 1 || chars.length < 2) return;
            const reachable = chars.some((_, i) => i > 0 && set.has(chars.slice(0, i).join("")) && set.has(chars.slice(i).join("")));
            expect(reachable, t).toBe(true);
        });
    });
});
