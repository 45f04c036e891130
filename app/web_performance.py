"""Work Flask-AppBuilder repeats on every request, done once per process instead.

docs/PERFORMANCE.md tells what each saves.
"""

import jsonschema
from flask_appbuilder import api as fab_api


class _CachedSchemaValidation:
    """``jsonschema`` as FAB's ``@rison`` decorator uses it, with one checked validator per schema.

    ``jsonschema.validate`` checks the schema against its metaschema before every
    validation: for the REST lists' Rison ``q`` that was most of a request.
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators: dict[int, tuple[dict, jsonschema.protocols.Validator]] = {}

    def validate(self, instance, schema) -> None:
        cached = self._validators.get(id(schema))
        if cached is None or cached[0] is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            cached = self._validators[id(schema)] = (schema, cls(schema))
        error = jsonschema.exceptions.best_match(cached[1].iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name):
        return getattr(jsonschema, name)


def init_app(app) -> None:
    if not isinstance(fab_api.jsonschema, _CachedSchemaValidation):
        fab_api.jsonschema = _CachedSchemaValidation()
