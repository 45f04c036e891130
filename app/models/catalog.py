"""What Admin configures: complaint categories and refund types."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Integer, String


class Category(Model):
    __tablename__ = "category"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(100), nullable=False)
    # §3 deadlines in hours; empty: the defaults of app.policy.deadlines.
    first_contact_hours = Column(Integer)
    final_result_hours = Column(Integer)
    dispatch_reply_hours = Column(Integer)

    def __str__(self) -> str:
        return self.name


class RefundType(Model):
    __tablename__ = "refund_type"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(100), nullable=False)
    # §2.5: a frontline user may refund this type (梦网/SP fees, missed marketing gifts).
    frontline_eligible = Column(Boolean, nullable=False, default=False)

    def __str__(self) -> str:
        return self.name
