app-name = Temas
nav-contacts = Contacts
nav-companies = Companies
nav-profile = Profile
nav-sign-out = Sign out
nav-skip = Skip to content
search-label = Search
search-placeholder = Search people and companies  ( / )
search-empty = Nothing matches “{ $query }”.
search-contact = Person
search-company = Company

login-title = Sign in
login-email = Email
login-password = Password
login-submit = Sign in
login-failed = The email or password is not right.
login-locked = Too many failed attempts. Try again in { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}.
login-expired = Your session has ended. Please sign in again.

list-new-contact = New contact
list-new-company = New company
list-filter = Filter
list-filter-help = field:op:value, e.g. language:eq:fa or tag:eq:vip
list-apply = Apply
list-sort = Sort
sort-name = Name
sort-updated = Recently updated
sort-created = Newest first
list-next = Next page
list-first = First page
list-empty = No records match.
list-shown = { $count ->
    [one] One record shown
   *[other] { $count } records shown
}

col-name = Name
col-email = Email
col-phone = Phone
col-company = Company
col-tags = Tags
col-updated = Updated
col-domain = Domain
col-industry = Industry

field-first_name = First name
field-middle_name = Middle name
field-last_name = Last name
field-display_name = Display name
field-salutation = Salutation
field-gender = Gender
field-birth_date = Birth date
field-job_title = Job title
field-language = Language
field-time_zone = Time zone
field-notes = Notes
field-source = Source
field-email = Email
field-phone = Phone
field-tags = Tags
field-tags-help = separated by commas
field-name = Name
field-domain = Domain
field-industry = Industry
field-size = Size
field-owner = Owner
field-version = Version

card-emails = Emails
card-phones = Phones
card-addresses = Addresses
card-handles = Messengers and social
card-companies = Companies
card-people = People
card-custom = More fields
card-details = Details
card-timeline = Timeline
card-history = Change history
card-edit = Edit
card-call = Call
card-write = Write
card-primary = primary
kind-work = work
kind-home = home
kind-mobile = mobile
kind-fax = fax
kind-other = other
card-opted-out = opted out
card-created = Created { $when }
card-updated = Updated { $when }
card-no-interactions = No interactions yet.
card-no-history = No changes recorded.
card-interactions = { $count ->
    [one] One interaction
   *[other] { $count } interactions
}
history-created = created the record
history-deleted = moved it to the trash
history-restored = restored it
history-changed = changed { $field }

timeline-all = All channels
timeline-filter = Show
log-title = Log an interaction
log-channel = Channel
log-direction = Direction
log-subject = Subject
log-body = Notes
log-outcome = Outcome
log-submit = Log it
log-saved = Logged.

channel-call = Call
channel-email = Email
channel-meeting = Meeting
channel-message = Message
channel-sms = SMS
channel-visit = Visit
channel-note = Note
channel-other = Other
direction-inbound = Inbound
direction-outbound = Outbound
direction-internal = Internal

form-new-contact = New contact
form-edit-contact = Edit { $name }
form-save = Save
form-cancel = Cancel
form-has-errors = Some fields need attention; nothing you typed was lost.
form-conflict = Someone else saved this record while you were editing it (it is now at version { $version }). Your changes are still in the form: check the current values on the card, then save again to apply yours.
form-saved = Saved.

profile-title = Your preferences
profile-language = Language
profile-calendar = Calendar
profile-digits = Digits
profile-time-zone = Time zone
profile-save = Save preferences
calendar-gregorian = Gregorian
calendar-persian = Persian (Jalali)
calendar-hijri = Hijri (Umm al-Qura)
digits-latin = Latin 0123456789
digits-persian = Persian ۰۱۲۳۴۵۶۷۸۹
digits-arabic = Arabic-Indic ٠١٢٣٤٥٦٧٨٩

error-not-found = This record does not exist, or you may not see it.
error-forbidden = Your role does not allow this.
error-csrf = The form had expired. Please try again.
error-internal = Something went wrong on our side (request { $id }).

nav-admin = Administration
admin-workspace = Workspace
admin-region = Default region (for phone numbers)
admin-currency = Default currency
admin-users = Users
admin-add-user = Add a user
admin-role = Role
admin-team = Team
admin-custom-fields = Custom fields
admin-add-field = Add a field
admin-entity = Record type
admin-key = Key
admin-label = Label
admin-kind = Kind
admin-options = Options (comma-separated)
admin-position = Position
admin-required = Required
admin-retired = Retired
entity-contact = Contact
entity-company = Company
entity-interaction = Interaction
role-owner = Owner
role-admin = Admin
role-manager = Manager
role-member = Member
role-marketer = Marketer
role-viewer = Viewer

list-trash = Trash
list-back = All contacts
list-restore = Restore
col-select = Select
bulk-label = With the selected
bulk-tag = Add a tag
bulk-owner = Set the owner
bulk-delete = Move to the trash
bulk-undo = Undo: open the trash to restore them.
bulk-done = { $count ->
    [one] One contact changed.
   *[other] { $count } contacts changed.
}
bulk-failed = { $count ->
    [one] One could not be changed (someone changed it meanwhile, or you may no longer see it).
   *[other] { $count } could not be changed (someone changed them meanwhile, or you may no longer see them).
}

admin-visibility = Who sees which records
admin-visibility-help = The owner always sees everything. A change applies at once.
scope-own = Their own records
scope-team = Their team's records
scope-all = All records

list-columns = Columns
sort-name-desc = Name, Z to A
sort-oldest = Oldest first
col-created = Created
value-yes = Yes
value-no = No
views = Saved views
view-all-contacts = All contacts
view-all-companies = All companies
view-shared-mark = shared
view-save = Save this view
view-name = View name
view-share = Share with my team
view-delete = Delete this view
view-name-taken = You already have a view with this name; choose another.

buying-decision_maker = Decision maker
buying-influencer = Influencer
buying-champion = Champion
buying-user = User
buying-billing = Billing
buying-technical = Technical
buying-gatekeeper = Gatekeeper
buying-employee = Employee
buying-other = Other

form-new-company = New company
form-edit-company = Edit { $name }
choice-female = Female
choice-male = Male
choice-other = Other
choice-unknown = Unknown

err-required = Required.
err-too_long = Too long.
err-invalid_email = Not an email address.
err-invalid_phone = Not a phone number.
err-invalid_date = Not a date in your calendar.
err-in_future = Cannot be in the future.
err-invalid_domain = Not a web domain such as example.com.
err-invalid_size = Choose one of the sizes offered.
err-invalid_language = Not a language code such as en, fa or tr.
err-invalid_time_zone = Not a time zone such as Asia/Tehran.
err-invalid_gender = Choose one of the options offered.
err-invalid_value = Not a valid value for this field.
err-invalid_country = Not a two-letter country code.
err-duplicate = Appears twice.
err-unknown_user = No user of this workspace.
err-unknown_record = Refers to a record that does not exist.
err-taken = Already used by another record.

admin-indexed = Fields lists are filtered by
admin-indexed-help = One per line: a field (language, source, custom.tier) or up to three filtered together (gender,language). Each gets an index, so filtered lists stay fast on a large base; building one takes seconds per million records.
admin-user-defaults = New users start with

nav-imports = Import
imports-title = Imports
imports-upload = Import a file
imports-upload-help = CSV or TSV in any common encoding and separator, or an Excel (XLSX) or LibreOffice (ODS) workbook. Nothing is imported until you say so.
imports-file = File
imports-sheet = Sheet (name or number)
imports-sheets = Sheets
imports-upload-submit = Upload and map
imports-history = Earlier imports
imports-none = No imports yet.
imports-col-file = File
imports-col-status = Status
imports-col-rows = Rows
import-choose-file = Choose a file to import.
import-status-uploaded = Uploaded
import-status-checking = Checking
import-status-checked = Checked
import-status-running = Importing
import-status-committed = Imported
import-status-rolling_back = Rolling back
import-status-rolled_back = Rolled back
import-status-failed = Failed
import-rows-read = rows read: { $count }
import-stopped = The import stopped:
import-summary = Result
import-summary-dry = Dry run: what the import would do
import-created = Created
import-updated = Updated
import-skipped = Skipped
import-failed = Failed
import-companies = Companies created
import-duplicates = Likely duplicates of existing contacts
import-problems = Rows to look at
import-row = Row { $row }
import-errors-download = Download the rows that failed, with the reason (CSV)
import-rolled-back = Rolled back. Records removed / restored:
import-mapping = Columns and fields
import-mapping-help = Each column feeds the field chosen under it; check the first rows below.
import-mapping-used = Mapping
import-match-on = Update existing contacts with the same
import-match-none = nothing: always create
import-match-email = email
import-match-phone = phone
import-match-external_id = external id
import-check = Dry run
import-commit = Import
import-rollback = Roll back
import-rollback-help = Rolling back removes what this import created and restores what it changed, even if edited since.
import-ignore = (ignore this column)
import-full-name = Full name
field-external_id = External id
phone-kind-mobile = mobile
phone-kind-work = work
phone-kind-home = home
phone-kind-fax = fax
phone-kind-other = other
address-street = Street
address-city = City
address-region = Region
address-postal_code = Postal code
address-country = Country

nav-quality = Data quality
quality-title = Data quality
quality-intro = Over the { $count } contacts you see. Each figure opens the list of its contacts.
quality-fields = How complete each field is
quality-field = Field
quality-filled = Filled in
quality-problems = Problems
quality-problem = Problem
quality-contacts = Contacts
quality-months = Stale after (months)
quality-refresh = Update
quality-no_email_or_phone = No email and no phone
quality-invalid_phone = A phone number that is not valid
quality-opted_out_email = An email that opted out
quality-opted_out_phone = A phone that opted out
quality-stale = Not updated in { $months } months
import-mapping-reused = The columns are mapped as in the earlier import of a file with the same columns.
import-interaction = Log on the timeline
import-interactions = Interactions logged
list-export-csv = Export CSV
list-export-xlsx = Export Excel
