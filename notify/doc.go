// Package notify holds motionflow's reminder channels: the German text of a
// reminder ([Compose]), e-mail over SMTP ([Mailer], built on
// github.com/wneessen/go-mail) and signed webhooks ([Webhook],
// [VerifySignature]). It knows nothing of Temporal or PostgreSQL: the Notify
// activity decides who gets what and records every delivery; this package
// only renders and sends one message to one recipient.
//
// Guarantees:
//
//   - Rendering is pure: the same motion and reminder give the same message,
//     whenever and wherever it is rendered (times in Europe/Berlin, relative
//     phrases taken from the reminder's offset, not from the clock).
//   - A resend is recognisable: an e-mail's Message-ID and a webhook's
//     X-Motionflow-Delivery header derive from the delivery key
//     ([DeliveryID]), so a receiver can drop a duplicate that a crash between
//     sending and recording caused.
//   - A webhook request is authenticated: its body is signed with
//     HMAC-SHA256 over "<timestamp>.<body>" with the target's secret, and
//     [VerifySignature] checks signature and age in constant time.
//   - A webhook reaches public addresses only: [CheckWebhookTarget] refuses a
//     target on a loopback, private, link-local or other non-public address
//     when it is created, and the [Webhook]'s dialer checks the address it
//     actually connects to (a name rebound to such an address is refused).
//     [Webhook].AllowPrivate lifts both for tests and in-cluster receivers.
//   - An address someone names in a watch is mailed only after its owner
//     confirmed it: [ComposeWatchConfirmation] is that request, in German,
//     naming no motion.
//   - Errors say whether retrying can help: [IsPermanent] is true for an
//     address the mail server rejects for good; everything else (a server
//     that is down, a 4xx reply, a non-2xx webhook answer) is worth a retry.
//
// The sub-package smtpsink is an SMTP server that keeps what it receives in
// memory, for `dev` and tests.
package notify
