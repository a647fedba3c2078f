# -*- coding: utf-8 -*-
# Copyright: Contributors to the swp.aws collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The external-ID calls of the API, shared by modules, for internal use."""

from __future__ import annotations

from ansible_collections.swp.aws.plugins.module_utils._client import WorkloadApiError

RETRIEVAL_SETTING = "platformSettingAwsExternalIdRetrievalEnabled"
RETRIEVAL_SETTING_PATH = "/systemsettings/" + RETRIEVAL_SETTING
CONSOLE_PLACE = 'Administration > System Settings > Security > "Enable retrieval and viewing of AWS external ID"'


def parse_bool_setting(body):
    value = (body or {}).get("value")
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def get_retrieval_enabled(client):
    return parse_bool_setting(client.get(RETRIEVAL_SETTING_PATH))


def get_manager_external_id(client):
    """Return the manager-defined external ID, with a clear error when retrieval is disabled."""
    try:
        body = client.get("/awsconnectorsettings")
    except WorkloadApiError as exc:
        if exc.status != 403:
            raise
        # 403 means either "retrieval is disabled" or "this key may not read it": ask the setting which.
        try:
            enabled = get_retrieval_enabled(client)
        except WorkloadApiError:
            enabled = None
        if enabled is False:
            raise exc.rephrased(
                "Retrieval of the AWS external ID is disabled on the manager (system setting %s is false), so GET "
                "/awsconnectorsettings was refused. Enable it in %s, or with swp.aws.workload_extid_retrieval enabled=true, "
                "or read the ID from your secrets store (and give it to swp.aws.workload_connector as manager_external_id)."
                % (RETRIEVAL_SETTING, CONSOLE_PLACE), "retrieval_disabled") from exc
        if enabled is None:
            raise exc.rephrased(exc.message + (
                " If retrieval of the AWS external ID is disabled on the manager, enable it in %s or read the ID "
                "from your secrets store." % CONSOLE_PLACE)) from exc
        raise
    external_id = (body or {}).get("externalId")
    if not isinstance(external_id, str) or not external_id:
        raise WorkloadApiError(
            "GET /awsconnectorsettings answered without an externalId; the manager may be too old to define one.",
            "GET", "/awsconnectorsettings", 200, None, kind="bad_response")
    return external_id
