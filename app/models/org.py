"""The organisation (SPEC.md §1): departments, staff and teams."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import backref, relationship

from app.policy.vocabulary import DEPARTMENT_KINDS, POSITIONS, label


def person_name(user) -> str:
    """How a member of staff is named on pages and in notices: family then given name, no space."""
    return f"{user.first_name}{user.last_name}" if user is not None else ""


class Department(Model):
    """A node of the department tree: company, department, centre, room, branch …"""

    __tablename__ = "department"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(100), nullable=False)
    kind = Column(String(16), nullable=False, index=True)
    parent_id = Column(Integer, ForeignKey("department.id"), index=True)
    email = Column(String(320))
    manager_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    # 主管公司领导: the company leader who supervises this department.
    supervising_leader_id = Column(Integer, ForeignKey("ab_user.id"), index=True)

    parent = relationship("Department", remote_side=[id], backref="children")
    manager = relationship(User, foreign_keys=[manager_id])
    supervising_leader = relationship(User, foreign_keys=[supervising_leader_id])

    @property
    def kind_label(self) -> str:
        return label(DEPARTMENT_KINDS, self.kind)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class StaffProfile(Model):
    """Links a login to its department and position (班长, 营销经理 …)."""

    __tablename__ = "staff_profile"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), unique=True, nullable=False)
    department_id = Column(Integer, ForeignKey("department.id"), nullable=False, index=True)
    position = Column(String(32), index=True)

    user = relationship(User, backref=backref("profile", uselist=False))
    department = relationship(Department, backref="staff")

    @property
    def position_label(self) -> str:
        return label(POSITIONS, self.position)

    def __str__(self) -> str:
        return str(self.user)


class Team(Model):
    """A distribution list for notices (§3.6): major complaint teams, the virtual team."""

    __tablename__ = "team"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    name = Column(String(100), nullable=False)
    leader_id = Column(Integer, ForeignKey("ab_user.id"), index=True)

    leader = relationship(User)
    members = relationship("TeamMember", back_populates="team", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.name


class TeamMember(Model):
    """A member of a team: a department (its mailbox) or a person."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "department_id", "user_id"),)

    id = Column(Integer, primary_key=True)
    team_id = Column(Integer, ForeignKey("team.id"), nullable=False, index=True)
    department_id = Column(Integer, ForeignKey("department.id"), index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    is_core = Column(Boolean, default=True, nullable=False)

    team = relationship(Team, back_populates="members")
    department = relationship(Department)
    user = relationship(User)

    def __str__(self) -> str:
        return str(self.department or self.user)
