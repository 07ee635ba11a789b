"""The canonical fields of a person record (shared by every rules file)."""

__all__ = ["FIELDS"]

# Canonical fields a column can be taken for (order = display order).
FIELDS = (
    "name",
    "sex",
    "id_number",
    "birth_date",
    "address",
    "hukou_address",
    "committee",
    "status",
    "cancel_flag",
    "phone",
    "collected_on",
    "registered_on",
    "arrived_on",
    "cancelled_on",
    "collector",
    "kind",
    "ethnicity",
    "record_key",
    "serial",
    "remark",
)
