"""The demo organisation, users, teams and catalogues of SPEC.md §1 (idempotent)."""

from flask import current_app

from app.extensions import appbuilder, db
from app.models import Category, Department, RefundType, StaffProfile, Team, TeamMember
from app.notices import seed_templates
from app.policy import roles

MAIL_DOMAIN = "dg.example.com"

# (code, kind, name, parent code)
DEPARTMENTS = [
    ("LEAD", "company", "公司领导", None),
    ("GEN", "department", "综合部", "LEAD"),
    ("PARTY", "department", "党群事务部", "LEAD"),
    ("MKT", "department", "市场部", "LEAD"),
    ("MKT-SVC", "room", "市场部服务管理室", "MKT"),
    ("MKT-PROD", "room", "产品室", "MKT"),
    ("DATA", "department", "数据部", "LEAD"),
    ("CSC", "center", "客户服务东莞中心", "LEAD"),
    ("CSC-HOT", "room", "10086热线室", "CSC"),
    ("CSC-HOT-A", "team", "10086 A班组", "CSC-HOT"),
    ("CSC-ZY", "room", "综援室", "CSC"),
    ("CSC-REF", "room", "1860退费管理", "CSC"),
    ("NET", "center", "网维中心", "LEAD"),
    ("IT", "center", "信息技术中心", "LEAD"),
]
BRANCHES = [
    ("BR-GC", "莞城"),
    ("BR-CA", "长安"),
    ("BR-HM", "虎门"),
    ("BR-CP", "常平"),
    ("BR-TX", "塘厦"),
    ("BR-DC", "东城"),
]
for _code, _place in BRANCHES:
    DEPARTMENTS += [
        (_code, "branch", f"{_place}区域分公司", "LEAD"),
        (f"{_code}-SVC", "group", f"{_place}服务管理组", _code),
        (f"{_code}-H1", "hall", f"{_place}服务厅", _code),
    ]

# (username, role, department, position, family name, given name)
USERS = [
    ("agent1", roles.FRONTLINE, "CSC-HOT-A", None, "陈", "晓敏"),
    ("agent2", roles.FRONTLINE, "CSC-HOT-A", None, "林", "佳怡"),
    ("teamlead1", roles.FRONTLINE, "CSC-HOT-A", "team_leader", "黄", "志强"),
    ("hall1", roles.FRONTLINE, "BR-GC-H1", None, "李", "婷"),
    ("hallmgr1", roles.FRONTLINE, "BR-GC-H1", "marketing_manager", "张", "伟"),
    ("refund1", roles.FRONTLINE, "CSC-REF", None, "何", "丽"),
    ("room1", roles.ROOM_MANAGER, "CSC-ZY", None, "王", "芳"),
    ("room2", roles.ROOM_MANAGER, "MKT-SVC", None, "刘", "洋"),
    ("netroom1", roles.ROOM_MANAGER, "NET", None, "赵", "磊"),
    ("center1", roles.CENTER_MANAGER, "CSC", "department_manager", "周", "静"),
    ("branch1", roles.CENTER_MANAGER, "BR-GC", "department_manager", "吴", "军"),
    ("netmgr1", roles.CENTER_MANAGER, "NET", "department_manager", "郑", "斌"),
    ("leader1", roles.LEADERSHIP, "LEAD", None, "梁", "国华"),
    ("admin", roles.ADMIN, None, None, "系统", "管理员"),
]
MANAGERS = {
    "CSC": "center1",
    "BR-GC": "branch1",
    "NET": "netmgr1",
    "CSC-ZY": "room1",
    "MKT-SVC": "room2",
    "CSC-HOT-A": "teamlead1",
}
SUPERVISED_BY_LEADER1 = ["CSC", "NET", "IT", "MKT", "DATA"]

CATEGORIES = [
    ("network_coverage", "网络覆盖"),
    ("call_quality", "通话质量"),
    ("mobile_data", "手机上网"),
    ("bill_dispute", "话费争议"),
    ("tariff", "资费套餐"),
    ("value_added", "梦网/SP增值业务"),
    ("promotion", "营销活动"),
    ("transaction", "业务办理"),
    ("topup", "充值/智能网余额"),
    ("hall_service", "营业厅服务"),
    ("hotline_service", "10086服务"),
    ("group_customer", "集团客户"),
    ("handset_sim", "终端/SIM卡"),
    ("other", "垃圾信息/隐私/其他"),
]
REFUND_TYPES = [
    ("monternet", "梦网/SP费用", True),
    ("missed_gift", "营销方案漏赠送", True),
    ("billing_error", "计费差错", False),
    ("goodwill", "灵活处理赠费", False),
]


def _department_email(code: str) -> str:
    return f"{code.lower()}@{MAIL_DOMAIN}"


def _get_or_create(model, defaults: dict, **key):
    row = db.session.query(model).filter_by(**key).one_or_none()
    if row is None:
        row = model(**key, **defaults)
        db.session.add(row)
        db.session.flush()
    return row


def seed(password: str | None = None) -> None:
    """Create whatever of the demo data is missing; leave the rest as it is."""
    password = password or current_app.config["DEMO_PASSWORD"]
    sm = appbuilder.sm
    departments = {}
    for code, kind, name, parent in DEPARTMENTS:
        departments[code] = _get_or_create(
            Department,
            {
                "kind": kind,
                "name": name,
                "parent": departments.get(parent),
                "email": _department_email(code),
            },
            code=code,
        )
    users = {}
    for username, role_name, department, position, family, given in USERS:
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(
                username=username,
                first_name=family,
                last_name=given,
                email=f"{username}@{MAIL_DOMAIN}",
                role=sm.find_role(role_name),
                password=password,
            )
        users[username] = user
        if department is not None:
            _get_or_create(
                StaffProfile,
                {"department": departments[department], "position": position},
                user_id=user.id,
            )
    for code, username in MANAGERS.items():
        departments[code].manager = departments[code].manager or users[username]
    for code in SUPERVISED_BY_LEADER1:
        departments[code].supervising_leader = departments[code].supervising_leader or users["leader1"]
    for code, name in CATEGORIES:
        _get_or_create(Category, {"name": name}, code=code)
    for code, name, eligible in REFUND_TYPES:
        _get_or_create(RefundType, {"name": name, "frontline_eligible": eligible}, code=code)
    _seed_teams(departments, users)
    seed_templates()
    db.session.commit()


def _seed_teams(departments, users) -> None:
    for code, place in BRANCHES:
        team = _get_or_create(
            Team,
            {"name": f"{place}区域分公司重大投诉处理团队", "leader": departments[code].manager},
            code=f"MAJOR-{code}",
        )
        for member in (f"{code}-SVC", f"{code}-H1"):
            _get_or_create(TeamMember, {"is_core": True}, team_id=team.id, department_id=departments[member].id)
    virtual = _get_or_create(Team, {"name": "投诉管理虚拟团队"}, code="VIRTUAL")
    for member in ["MKT", "CSC", *(f"{code}-SVC" for code, _ in BRANCHES), "NET", "IT"]:
        _get_or_create(TeamMember, {"is_core": True}, team_id=virtual.id, department_id=departments[member].id)
