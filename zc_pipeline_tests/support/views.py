"""BI views read as a BI tool reads them."""
import pandas as pd
import sqlalchemy as sa

from zc_pipeline.warehouse.bi import VIEW_COLUMNS
from zc_pipeline.warehouse.engine import schema_of


def read_view(engine: sa.Engine, name: str, where: dict[str, list] | None = None,
              order_by: list[str] | None = None) -> pd.DataFrame:
    """A view's rows (`where`: column -> accepted values), typed as the columns it shows, in `order_by` order."""
    view = sa.table(name, *(sa.column(c.name, c.type) for c in VIEW_COLUMNS[name]), schema=schema_of(engine))
    stmt = sa.select(*view.c).where(*(view.c[k].in_(v) for k, v in (where or {}).items()))
    stmt = stmt.order_by(*(view.c[k] for k in order_by or []))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).fetchall(), columns=list(view.c.keys()))
