; Inno Setup script for Scribe on Windows: installs the frozen folder (dist\Scribe, built on Windows
; with `pyinstaller packaging\scribe.spec`) under Program Files, with a Start-menu entry.
; UNTESTED in this repository's CI (Linux): .github/workflows/installers.yml runs it on
; windows-latest with `iscc /DAppVersion=X.Y.Z packaging\windows\scribe.iss`.
; Output: dist\Scribe-<version>-setup.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; The AppId identifies Scribe for upgrades and uninstall: never change it.
AppId={{30ED772B-F323-426F-9632-42AAFDF3D16A}
AppName=Scribe
AppVersion={#AppVersion}
AppVerName=Scribe {#AppVersion}
AppPublisher=Scribe contributors
DefaultDirName={autopf}\Scribe
DefaultGroupName=Scribe
DisableProgramGroupPage=yes
LicenseFile=..\..\LICENSE
SetupIconFile=scribe.ico
UninstallDisplayIcon={app}\Scribe.exe
OutputDir=..\..\dist
OutputBaseFilename=Scribe-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Per machine by default (clinic IT); a user without admin rights may install for themselves.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; Scribe.exe (the app) and scribe-cli.exe (the command line) share the folder's libraries.
Source: "..\..\dist\Scribe\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Scribe"; Filename: "{app}\Scribe.exe"
Name: "{autodesktop}\Scribe"; Filename: "{app}\Scribe.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Scribe.exe"; Description: "{cm:LaunchProgram,Scribe}"; Flags: nowait postinstall skipifsilent

; The clinician's data (%LOCALAPPDATA%\Scribe) is never removed by the uninstaller: signed notes
; and the audit trail outlive the program.
