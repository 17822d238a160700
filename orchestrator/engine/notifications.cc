#include "orchestrator/engine/notifications.h"

namespace kaiban::orchestrator {

std::string notificationText(std::string_view milestone, std::string_view application_id) {
  const std::string id(application_id);
  if (milestone == "submitted") {
    return "【开办】您的企业开办申请已受理，申请编号 " + id + "，可凭编号在自助终端查询进度。";
  }
  if (milestone == "needs_attention") {
    return "【开办】您的企业开办申请 " + id + " 需要您处理，请到自助终端或办理网点查看原因。";
  }
  if (milestone == "completed") {
    return "【开办】您的企业开办申请 " + id +
           " 已全部办结：营业执照、印章、银行账户和税务事项均已完成。";
  }
  if (milestone == "rejected") {
    return "【开办】您的企业开办申请 " + id + " 未通过审核，请到办理网点了解原因。";
  }
  if (milestone == "cancelled") {
    return "【开办】您的企业开办申请 " + id + " 已撤销。";
  }
  return "【开办】您的企业开办申请 " + id + " 状态已更新，请到自助终端查询。";
}

}  // namespace kaiban::orchestrator
