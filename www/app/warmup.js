// Warm-up input for the analysis worker (worker.js): synthetic Postfix log lines, generated
// here (nothing is fetched), in the shapes of a real outbound relay's log: submission, cleanup,
// DKIM and queue-manager lines, smtp delivery lines (status=sent / deferred / bounced with the
// replies of the big mailbox providers and of small hosts, connection errors), bounce
// notifications, inbound smtpd/postscreen noise and TLS lines. Why: V8 starts a WebAssembly
// function in its baseline tier (Liftoff) and compiles it again with its optimising tier
// (TurboFan) only after it ran a while; analysing a few MB of these lines on an idle page,
// before the user's first file, lets the hot functions of the core tier up, so the first real
// file runs at the warm speed (BENCHMARKS.md, "Session 6: page throughput"). The result of the
// warm-up is discarded; its content only needs to follow the same code paths as real logs.

/** Providers: recipient domains, relay host [ip], and reply texts by status (deterministic picks). */
const PROVIDERS = [
  {
    rcpt: ['gmail.com', 'googlemail.com', 'evergreensupply.net'],
    relay: ['gmail-smtp-in.l.google.com[142.251.16.163]', 'alt1.gmail-smtp-in.l.google.com[142.250.153.62]', 'aspmx.l.google.com[142.251.16.92]'],
    sent: ['250 2.0.0 OK  1795195092 1cad5e776463c-24c94db0435si#.859 - gsmtp'],
    deferred: [
      'host $H said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. 421 4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError # - gsmtp (in reply to end of DATA command)',
      'host $H said: 452-4.2.2 The recipient\'s inbox is out of storage space. Please direct the 452-4.2.2 recipient to 452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp # - gsmtp (in reply to RCPT TO command)',
    ],
    bounced: [
      'host $H said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient\'s email address for typos or 550-5.1.1 unnecessary spaces. 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser # - gsmtp (in reply to RCPT TO command)',
      'host $H said: 550-5.7.26 Unauthenticated email from news.northwind-freight.com is not accepted due to domain\'s 550-5.7.26 DMARC policy. 550 5.7.26  https://support.google.com/mail/answer/2451690 # - gsmtp (in reply to end of DATA command)',
    ],
  },
  {
    rcpt: ['hotmail.com', 'outlook.com', 'live.com', 'midwestrealty.com'],
    relay: ['hotmail-com.olc.protection.outlook.com[104.47.55.188]', 'outlook-com.olc.protection.outlook.com[52.101.68.83]', 'midwestrealty-com.mail.protection.outlook.com[104.47.55.109]'],
    sent: ['250 2.6.0 <#.7oqqnkewmg@news.northwind-freight.com> [InternalId=17754357016403, Hostname=CO1PR04MB3531.apcprd04.prod.outlook.com] 5906 bytes in 0.757, 7.624 KB/sec Queued mail for delivery'],
    deferred: [
      'host $H said: 451 4.7.500 Server busy. Please try again later from [203.0.113.94]. (S77719) [BL02APC09FT119.eop-apc09.prod.protection.outlook.com #] (in reply to MAIL FROM command)',
      'host $H said: 451 4.7.650 The mail server [203.0.113.95] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [#] (in reply to MAIL FROM command)',
      'lost connection with $H while receiving the initial server greeting',
    ],
    bounced: [
      'host $H said: 550 5.7.1 Unfortunately, messages from [198.51.100.25] weren\'t sent. Please contact your Internet service provider since part of their network is on our block list (S3150). [#] (in reply to MAIL FROM command)',
      'host $H said: 550 5.5.0 Requested action not taken: mailbox unavailable (#) (in reply to RCPT TO command)',
    ],
  },
  {
    rcpt: ['yahoo.com', 'aol.com', 'rocketmail.com'],
    relay: ['mta7.am0.yahoodns.net[98.136.101.87]', 'mx-aol.mail.gm0.yahoodns.net[74.6.143.210]'],
    sent: ['250 ok dirdel'],
    deferred: ['host $H said: 421 4.7.0 [TSS04] Messages from 203.0.113.94 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes (in reply to MAIL FROM command)'],
    bounced: ['host $H said: 554 5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes (in reply to end of DATA command)'],
  },
  {
    rcpt: ['icloud.com', 'me.com'],
    relay: ['mx02.mail.icloud.com[17.57.154.105]', 'mx01.mail.icloud.com[17.57.155.11]'],
    sent: ['250 2.0.0 Ok: queued as #'],
    deferred: ['host $H said: 450 4.7.1 [HM08] Message temporarily deferred due to unresolvable RFC.5321 from domain. Please visit https://support.apple.com/en-us/HT204137 (in reply to RCPT TO command)'],
    bounced: ['host $H said: 550 5.1.1 <$R>: user does not exist (in reply to RCPT TO command)'],
  },
  {
    rcpt: ['comcast.net', 'gmx.net', 'gmx.de'],
    relay: ['mx2c1.comcast.net[96.102.18.78]', 'mx00.gmx.net[212.227.17.90]'],
    sent: ['250 2.0.0 #zsoeHvKoj mail accepted for delivery', '250 Requested mail action okay, completed: id=1Ms8ko-#-00eKkl'],
    deferred: ['host $H refused to talk to me: 554-gmx.net (mxgmx110) Nemesis ESMTP Service not available 554-No SMTP service 554-IP address is block listed. 554 For explanation visit https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=203.0.113.94&r=#'],
    bounced: ['host $H said: 554 5.7.1 # Comcast block for spam.  Please see http://postmaster.comcast.net/smtp-error-codes.php#BL000000 (in reply to MAIL FROM command)'],
  },
  {
    rcpt: ['sunrisetransport.com', 'silverlinelegal.com', 'crossroadshvac.org'],
    relay: ['us-smtp-inbound-2.mimecast.com[170.10.128.240]', 'mx0a-00607198.pphosted.com[67.231.153.67]'],
    sent: ['250 2.0.0 Ok us-smtp-2-#-1', '250 2.0.0 #-1 Message accepted for delivery'],
    deferred: ['host $H said: 451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451 (in reply to end of DATA command)'],
    bounced: ['host $H said: 554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [#.us186] (in reply to end of DATA command)'],
  },
  {
    rcpt: ['acme-freight.com', 'frontier-trucking.org', 'riverbend-plumbing.com', 'lakesideinsurance.org'],
    relay: ['mail.acme-freight.com[173.201.106.192]', 'mail.frontier-trucking.org[74.208.97.130]', 'mx.riverbend-plumbing.com[198.199.90.219]'],
    sent: ['250 2.0.0 Ok: queued as #', '250 OK id=1tn1eg-#-oy'],
    deferred: [
      'host $H said: 452 4.2.2 <$R>: Mailbox full (in reply to RCPT TO command)',
      'connect to $H:25: Connection timed out',
      'connect to $H:25: Connection refused',
      'Cannot start TLS: handshake failure',
    ],
    bounced: [
      'host $H said: 550 5.1.1 <$R>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)',
      'Host or domain name not found. Name service error for name=$D type=MX: Host not found',
    ],
  },
];

const USERS = ['james.taylor4', 'lisayoung84', 'ops', 'orders', 'nancy.white', 'dlopez', 'info', 'm.schmidt1962', 'accounts', 'sandra.scott'];
const SENDERS = [
  ['mta-out1', 'postfix/out05/smtp', 'news.northwind-freight.com', 'app01.internal.northwind-freight.com[10.0.1.21]', 'postfix/submission/smtpd'],
  ['mta-out1', 'postfix/hcout1/smtp', 'care.bluepine-health.com', 'app02.internal.northwind-freight.com[10.0.1.22]', 'postfix/submission/smtpd'],
  ['mta-out2', 'postfix/smtp', 'app.acme-dispatch.com', 'web01.acme-dispatch.lan[10.8.0.11]', 'postfix/smtpd'],
];
const HEX = '0123456789ABCDEF';

/**
 * Synthetic Postfix log text of about `bytes` bytes (whole lines). `seed` varies the queue
 * ids, times and picks, so consecutive blocks are not the same text.
 */
export function warmupLog(bytes, seed = 0) {
  let x = (seed * 2654435761 + 1) >>> 0;
  const rnd = (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
  const pick = (a) => a[rnd(a.length)];
  const qid = () => {
    let s = '';
    for (let i = 0; i < 11; i++) s += HEX[rnd(16)];
    return s;
  };
  const tok = () => (x >>> 0).toString(36) + rnd(1e6).toString(36);
  let t = 8 * 3600 + (seed * 977) % 36000; // seconds into the day
  const stamp = () => {
    t += rnd(3);
    const s = t % 86400;
    const p = (n) => String(n).padStart(2, '0');
    return `Nov 20 ${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
  };
  const out = [];
  let size = 0;
  const line = (host, prog, text) => {
    const l = `${stamp()} ${host} ${prog}[${1000 + rnd(30000)}]: ${text}\n`;
    out.push(l);
    size += l.length;
  };
  while (size < bytes) {
    const [host, smtp, dom, client, submit] = pick(SENDERS);
    const id = qid();
    const n = 1 + rnd(4);
    if (rnd(4) === 0) line(host, submit, `connect from ${client}`);
    line(host, submit, `${id}: client=${client}, sasl_method=PLAIN, sasl_username=notify`);
    line(host, 'postfix/cleanup', `${id}: message-id=<${tok()}.${tok()}@${dom}>`);
    line(host, 'opendkim', `${id}: DKIM-Signature field added (s=s2024, d=${dom})`);
    line(host, 'postfix/qmgr', `${id}: from=<notify@${dom}>, size=${1000 + rnd(40000)}, nrcpt=${n} (queue active)`);
    let bounced = false;
    for (let i = 0; i < n; i++) {
      const p = pick(PROVIDERS);
      const d = pick(p.rcpt);
      const rcpt = `${pick(USERS)}${rnd(100)}@${d}`;
      const relay = pick(p.relay);
      const r = rnd(10);
      const status = r < 6 ? 'sent' : r < 9 ? 'deferred' : 'bounced';
      const dsn = status === 'sent' ? (d.includes('outlook') || d.includes('hotmail') ? '2.6.0' : '2.0.0') : status === 'deferred' ? '4.7.0' : '5.1.1';
      const reply = pick(p[status]).replaceAll('$H', relay).replaceAll('$R', rcpt).replaceAll('$D', d).replace('#', tok());
      if (rnd(5) === 0) {
        line(host, smtp, `Trusted TLS connection established to ${relay}:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256`);
      }
      const delay = rnd(3) === 0 ? rnd(90000) : rnd(300) / 100;
      line(host, smtp, `${id}: to=<${rcpt}>, relay=${status === 'sent' || reply.startsWith('host') ? `${relay}:25` : 'none'}, `
        + `${rnd(3) === 0 ? `conn_use=${2 + rnd(20)}, ` : ''}delay=${delay}, delays=${delay}/0.0${rnd(4)}/0.${rnd(99)}/0.${rnd(99)}, dsn=${dsn}, status=${status} (${reply})`);
      bounced ||= status === 'bounced';
    }
    if (bounced) line(host, 'postfix/bounce', `${id}: sender non-delivery notification: ${qid()}`);
    line(host, 'postfix/qmgr', `${id}: removed`);
    if (rnd(6) === 0) {
      const ip = `209.85.${rnd(256)}.${rnd(256)}`;
      const port = 30000 + rnd(30000);
      line('mx1', 'postfix/postscreen', `CONNECT from [${ip}]:${port} to [192.0.2.25]:25`);
      line('mx1', 'postfix/postscreen', `PASS OLD [${ip}]:${port}`);
      line('mx1', 'postfix/smtpd', `connect from mail-wr1-f41.google.com[${ip}]`);
      line('mx1', 'postfix/smtpd', `disconnect from mail-wr1-f41.google.com[${ip}] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7`);
    }
  }
  return out.join('');
}
