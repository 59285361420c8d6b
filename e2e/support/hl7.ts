import { randomInt } from 'node:crypto';
import net from 'node:net';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

export const mllpHost = process.env.MLLP_HOST ?? '127.0.0.1';
export const mllpPort = Number(process.env.MLLP_PORT ?? '2599');

/** One point-of-use supply event, rendered as the DFT^P03 that the demo's sending systems use. */
export interface UsageEvent {
  controlId: string;
  transactionId: string;
  occurredAt: Date;
  facility: string;
  location: string;
  itemCode: string;
  description: string;
  quantity: number;
  uom: string;
  unitPrice: number;
  lot?: string;
  serial?: string;
  mrn: string;
  account: string;
  encounter: string;
  lastName: string;
  firstName: string;
  /** A credit (FT1-6 CD) reversing an earlier usage with the same transaction id. */
  reversal?: boolean;
}

function hl7Timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function escapeHl7(s: string): string {
  return s.replace(/\\/g, '\\E\\').replace(/\|/g, '\\F\\').replace(/\^/g, '\\S\\').replace(/&/g, '\\T\\').replace(/~/g, '\\R\\');
}

/** Random digits, so every run (and every message in a run) has its own identifiers. */
function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(0, 10));
  return s;
}

/** A coronary stent used in the NGH cath lab, with lot and serial number: valid against the demo master data. */
export function stentUsage(overrides: Partial<UsageEvent> = {}): UsageEvent {
  const now = new Date();
  const yymmdd = hl7Timestamp(now).slice(2, 8);
  return {
    controlId: `E2E${digits(10)}`,
    transactionId: `NGH${yymmdd}9${digits(5)}`,
    occurredAt: now,
    facility: 'NGH',
    location: 'CATH',
    itemCode: 'ITM-IMP-STENT01',
    description: 'Coronary stent, drug-eluting 3.0x18',
    quantity: 1,
    uom: 'EA',
    unitPrice: 1350,
    lot: `L${digits(6)}`,
    serial: `SN${digits(7)}`,
    mrn: `MRN${digits(7)}`,
    account: `A${digits(9)}`,
    encounter: `E${digits(9)}`,
    lastName: 'TESTPATIENT',
    firstName: 'PAT',
    ...overrides,
  };
}

/** The same layout as the engine's demo traffic: MSH, EVN, PID, PV1, FT1 and, for lot-tracked items, PRT. */
export function dftP03(e: UsageEvent): string {
  const ts = hl7Timestamp(e.occurredAt);
  const ft1: string[] = new Array(44).fill('');
  ft1[0] = 'FT1';
  ft1[1] = '1';
  ft1[2] = e.transactionId;
  ft1[4] = ts;
  ft1[5] = ts;
  ft1[6] = e.reversal ? 'CD' : 'CG';
  ft1[7] = `${e.itemCode}^${escapeHl7(e.description)}^L`;
  ft1[10] = String(e.quantity);
  ft1[11] = `${(e.quantity * e.unitPrice).toFixed(2)}&USD`;
  ft1[12] = `${e.unitPrice.toFixed(2)}&USD`;
  ft1[13] = e.location;
  ft1[34] = e.itemCode;
  ft1[43] = `${e.quantity}^${e.uom}`;
  const segments = [
    `MSH|^~\\&|POU|${e.facility}|HEALTHSYNC|NETWORK|${ts}||DFT^P03^DFT_P03|${e.controlId}|P|2.5.1`,
    `EVN|P03|${ts}`,
    `PID|1||${e.mrn}^^^${e.facility}^MR||${e.lastName}^${e.firstName}|||||||||||||${e.account}`,
    `PV1|1|I|${e.location}^^^${e.facility}||||||||||||||||${e.encounter}`,
    ft1.join('|'),
  ];
  if (e.lot !== undefined || e.serial !== undefined) {
    const prt: string[] = new Array(21).fill('');
    prt[0] = 'PRT';
    prt[1] = '1';
    prt[2] = 'UC';
    prt[16] = e.itemCode;
    prt[19] = e.lot ?? '';
    prt[20] = e.serial ?? '';
    segments.push(prt.join('|'));
  }
  return segments.map((s) => s + '\r').join('');
}

/** Sends one message in an MLLP frame (VT ... FS CR) and resolves with the acknowledgement's text. */
export function sendMllp(message: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: mllpHost, port: mllpPort });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No MLLP acknowledgement from ${mllpHost}:${mllpPort} within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (err: Error | null, ack?: string) => {
      clearTimeout(timer);
      socket.end();
      if (err) reject(err);
      else resolve(ack!);
    };
    socket.on('connect', () => {
      socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(message, 'utf8'), Buffer.from([FS, CR])]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(Buffer.from([FS, CR]));
      if (end < 0) return;
      const start = received.indexOf(VT);
      finish(null, received.subarray(start + 1, end).toString('utf8'));
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('The MLLP connection closed before an acknowledgement arrived')));
  });
}

/** MSA-1 (acknowledgement code), MSA-2 (control id of the acknowledged message) and MSA-3 (text). */
export function readAck(ack: string): { code: string; controlId: string; text: string } {
  const msa = ack.split(/\r\n?|\n/).find((s) => s.startsWith('MSA|'));
  if (!msa) throw new Error(`The acknowledgement has no MSA segment: ${JSON.stringify(ack)}`);
  const f = msa.split('|');
  return { code: f[1] ?? '', controlId: f[2] ?? '', text: f[3] ?? '' };
}
