// @ts-nocheck
// Just enough of the Kubernetes protobuf encoding to read what kubectl POSTs as protobuf (it does so for
// SelfSubjectAccessReview in `kubectl auth can-i`): the "k8s\0" envelope (runtime.Unknown) and the review's
// resourceAttributes. Answers go back as JSON, which kubectl also accepts.

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Is this body the protobuf envelope? */
export function isKubeProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** The length-delimited fields (wire type 2) of one message, by field number; other wire types skipped. */
function fields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw new Error("truncated varint");
      const b = buf[i++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 49) throw new Error("varint too long");
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      if (i + len > buf.length) throw new Error("truncated field");
      const list = out.get(field) ?? [];
      list.push(buf.subarray(i, i + len));
      out.set(field, list);
      i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const text = (m: Map<number, Buffer[]>, n: number): string => m.get(n)?.[0]?.toString("utf8") ?? "";

/** The resourceAttributes of a protobuf SelfSubjectAccessReview, as the JSON form names them. */
export function decodeAccessReview(body: Buffer): { spec: { resourceAttributes: Record<string, string> } } {
  const envelope = fields(body.subarray(4));
  const raw = envelope.get(2)?.[0];
  if (!raw) throw new Error("protobuf envelope without an object");
  const spec = fields(raw).get(2)?.[0];
  const attrs = spec ? fields(spec).get(1)?.[0] : undefined;
  const a = attrs ? fields(attrs) : new Map<number, Buffer[]>();
  const names = ["", "namespace", "verb", "group", "version", "resource", "subresource", "name"];
  const resourceAttributes: Record<string, string> = {};
  names.forEach((name, n) => {
    if (n > 0 && text(a, n) !== "") resourceAttributes[name] = text(a, n);
  });
  return { spec: { resourceAttributes } };
}
