"""Building blocks every app uses and none owns: form fields for ids a database can hold,
the stale-edit message, and the admin mixins. Not an app: no models, no templates; it
imports none of the apps."""
