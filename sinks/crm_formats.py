"""Files a CRM imports as they are: Salesforce campaign members and HubSpot contacts.

`buysignal export SEGMENT --format F` writes one of these from the lists the last run cut (README,
"Export to your CRM"; CONTRACT.md, "CRM round trip"):

- `accounts` / `people`: the run's own list columns, with `new`.
- `salesforce-campaign`: one row per person for a CampaignMember insert (Data Loader, or Data Import
  Wizard's "add to campaign"): `ContactId` or `LeadId` (exactly one per row, told apart by the id's
  key prefix, 003 or 00Q), `Status`, and the trigger in `Buysignal_*__c` columns that map onto custom
  CampaignMember fields of those API names (or are left unmapped). `CampaignId` when one is given.
- `hubspot`: one row per contact for HubSpot's contact import: `Email`, `First Name`, `Last Name`
  (contacts are deduplicated by email), `Company Domain Name` (associates the company), `Record ID`
  (the HubSpot contact id, when the contacts export came from HubSpot), `List Name`, and the trigger.

Rows a format cannot carry (a person with no Salesforce contact or lead id; a contact with neither an
email nor a HubSpot Record ID) are left out and counted, so the file imports without errors.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from schemas import CampaignPerson
from sinks.campaigns import csv_cell

__all__ = [
    "CRM_FORMATS",
    "HUBSPOT_COLUMNS",
    "SALESFORCE_CAMPAIGN_COLUMNS",
    "CrmFile",
    "render_hubspot",
    "render_salesforce_campaign",
]

CRM_FORMATS = ("salesforce-campaign", "hubspot")
SALESFORCE_TRIGGER_COLUMNS: tuple[str, ...] = (
    "Buysignal_Trigger__c",
    "Buysignal_Trigger_Date__c",
    "Buysignal_Trigger_Person__c",
    "Buysignal_Trigger_Title__c",
    "Buysignal_Account__c",
    "Buysignal_Evidence__c",
    "Buysignal_URL__c",
    "Buysignal_Segment__c",
    "Buysignal_Matched_By__c",
)
SALESFORCE_CAMPAIGN_COLUMNS: tuple[str, ...] = ("ContactId", "LeadId", "Status", *SALESFORCE_TRIGGER_COLUMNS)
HUBSPOT_COLUMNS: tuple[str, ...] = (
    "Email",
    "First Name",
    "Last Name",
    "Company Domain Name",
    "Record ID",
    "List Name",
    "Trigger Type",
    "Trigger Date",
    "Trigger Evidence",
    "Trigger URL",
    "Trigger Matched By",
)
# Salesforce ids: 15 (case-sensitive) or 18 characters; the first three say the object.
_SF_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-5]{3})?")
_HUBSPOT_ID = re.compile(r"\d{1,20}")
# The longest text a Salesforce text area takes without a custom length; evidence is cut there.
_SF_TEXT_MAX = 255


@dataclass
class CrmFile:
    """A rendered import file: its text, the people it holds, and the people left out and why."""

    text: str
    written: list[CampaignPerson] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def _write(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # what both wizards' own templates use
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(value, True) for value in row])
    return buffer.getvalue()


def salesforce_object(record_id: str) -> str | None:
    """'Contact' or 'Lead' for a Salesforce contact (003...) or lead (00Q...) id, else None."""
    if not _SF_ID.fullmatch(record_id):
        return None
    return {"003": "Contact", "00Q": "Lead"}.get(record_id[:3])


def render_salesforce_campaign(
    people: Iterable[CampaignPerson], status: str = "Sent", campaign_id: str | None = None
) -> CrmFile:
    """Campaign members for Salesforce: ContactId or LeadId, Status, the trigger columns (with
    CampaignId first when `campaign_id` is given, as Data Loader needs it)."""
    columns = (("CampaignId",) if campaign_id else ()) + SALESFORCE_CAMPAIGN_COLUMNS
    out = CrmFile(text="")
    rows = []
    for person in people:
        kind = salesforce_object(person.contact_id)
        if kind is None:
            out.skipped["not a Salesforce contact or lead id"] = (
                out.skipped.get("not a Salesforce contact or lead id", 0) + 1
            )
            continue
        out.written.append(person)
        trigger = [
            person.trigger_type,
            person.event_date,
            person.trigger_person,
            person.trigger_title,
            person.account_name,
            person.evidence[:_SF_TEXT_MAX],
            person.url,
            person.segment,
            person.matched_by,
        ]
        ids = [person.contact_id, ""] if kind == "Contact" else ["", person.contact_id]
        rows.append([*([campaign_id] if campaign_id else []), *ids, status, *trigger])
    out.text = _write(columns, rows)
    return out


def render_hubspot(people: Iterable[CampaignPerson], list_name: str) -> CrmFile:
    """Contacts for HubSpot's import: email, names, company domain, Record ID (HubSpot ids only),
    the list name and the trigger."""
    out = CrmFile(text="")
    rows = []
    for person in people:
        record_id = person.contact_id if _HUBSPOT_ID.fullmatch(person.contact_id) else ""
        if not person.email and not record_id:
            out.skipped["no email and no HubSpot Record ID"] = (
                out.skipped.get("no email and no HubSpot Record ID", 0) + 1
            )
            continue
        out.written.append(person)
        rows.append(
            [
                person.email,
                person.first_name,
                person.last_name,
                person.domain,
                record_id,
                list_name,
                person.trigger_type,
                person.event_date,
                person.evidence,
                person.url,
                person.matched_by,
            ]
        )
    out.text = _write(HUBSPOT_COLUMNS, rows)
    return out
