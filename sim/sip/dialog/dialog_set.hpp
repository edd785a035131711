#pragma once
// DialogSet: one INVITE a UAC sent and every dialog its responses create. A forking proxy may
// return 1xx and 2xx responses from several UASs, each with its own To tag, so one INVITE can
// yield many early dialogs and even several confirmed ones (RFC 3261 §12.1.2, §13.2.2.4). The
// dialogs live in the user agent's DialogTable, where in-dialog requests find them; the set
// remembers which are its own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/sip/dialog/dialog.hpp"
#include "sim/sip/dialog/dialog_table.hpp"
#include "sim/sip/message.hpp"

namespace sip {

class DialogSet {
 public:
  enum class Outcome : std::uint8_t {
    NoDialog,            // a 100, a 1xx without To tag, or a response for a dialog already
                         // terminated: nothing to do (§12.1)
    EarlyDialogCreated,  // a 1xx with a To tag not seen before: a new branch rings (§12.1.2)
    EarlyDialogUpdated,  // another 1xx on a known early dialog
    DialogConfirmed,     // the first 2xx: the call is up; ACK it (§13.2.2.4)
    Repeated2xx,         // the confirmed dialog's 2xx again: ACK it again (§13.2.2.4)
    Additional2xx,       // a 2xx from another branch after one was confirmed: the UAC MUST ACK
                         // it and SHOULD then BYE it (§13.2.2.4)
    Failed,              // a non-2xx final response: every early dialog is terminated (§12.3)
    Unusable,            // a 1xx/2xx with a To tag that cannot form a dialog (no Contact,
                         // unparsable Record-Route); see problem
  };
  struct Event {
    Outcome outcome = Outcome::NoDialog;
    Dialog* dialog = nullptr;  // the dialog the response is about, in the table
    std::string problem;       // why, for Unusable
  };

  // `table` must outlive the set; `invite` is the request as sent (with its From tag).
  DialogSet(DialogTable& table, Message invite);

  // A response to the INVITE, as the client transaction hands it up (2xx retransmissions
  // included).
  Event on_response_received(const Message& response);
  // §13.2.2.4: when the INVITE transaction ends (64*T1 after the first 2xx, or on a final
  // response), the early dialogs no 2xx confirmed are terminated.
  void on_invite_transaction_ended();

  const Message& invite() const { return invite_; }
  // The dialog the first 2xx confirmed, if any.
  Dialog* confirmed_dialog() const;
  // This INVITE's dialogs in the order their first response arrived.
  std::vector<Dialog*> dialogs() const;

 private:
  DialogIdView id_for(std::string_view remote_tag) const;
  Event on_new_tag(const Message& response);
  Event on_known_tag(Dialog& dialog, const Message& response);
  void terminate_early_dialogs();

  DialogTable& table_;
  Message invite_;
  std::vector<std::string> remote_tags_;         // in order of creation
  std::optional<std::string> confirmed_remote_tag_;
};

}  // namespace sip
